import Foundation

/// The `id:` of a live event: the hub's epoch and a sequence number, `<epoch>-<sequence>`.
///
/// The epoch is the hub's start (milliseconds, base 36) and a random suffix, so an id a page
/// kept from a web that has since restarted never names an event of the new one: the new hub
/// tells that page to reload instead of replaying the wrong events.
struct LiveEventID: Sendable, Hashable, CustomStringConvertible {
    let epoch: String
    let sequence: UInt64

    var description: String { "\(epoch)-\(sequence)" }

    init(epoch: String, sequence: UInt64) {
        self.epoch = epoch
        self.sequence = sequence
    }

    /// Reads a `Last-Event-ID` header; nil for anything this format does not produce.
    init?(_ text: String) {
        guard text.utf8.count <= 64, let dash = text.lastIndex(of: "-"), let sequence = UInt64(text[text.index(after: dash)...]) else {
            return nil
        }
        let epoch = String(text[..<dash])
        guard !epoch.isEmpty, epoch.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }) else { return nil }
        self.init(epoch: epoch, sequence: sequence)
    }

    /// A new epoch: this process's start, and a random part for two starts in one millisecond.
    static func newEpoch(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        return String(millis, radix: 36) + "." + String(UInt16.random(in: .min ... .max), radix: 36)
    }
}
