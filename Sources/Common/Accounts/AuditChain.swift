import Crypto
import Foundation

/// One security-relevant action as it is appended: who (`userID`, the account it concerns;
/// `actor`, who did it: a username, `operator` for the command line, `system`), when, from which
/// address, what (`action`, a stable name such as `login.success`) and its `detail` (never a
/// secret: no password, token, key or code).
public struct AuditRecord: Sendable, Equatable {
    public let at: Date
    public let userID: UserID?
    public let actor: String
    public let address: String?
    public let action: String
    public let detail: String

    public init(at: Date, userID: UserID?, actor: String, address: String?, action: String, detail: String = "") {
        // Stored to the millisecond: the hash covers what a reader gets back.
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        self.userID = userID
        self.actor = String(actor.prefix(100))
        self.address = address.map { String($0.prefix(100)) }
        self.action = String(action.prefix(100))
        self.detail = String(detail.prefix(500))
    }
}

/// An appended record: its place in the chain, the hash of the row before it and its own.
public struct AuditEntry: Sendable, Equatable {
    public let seq: Int64
    public let record: AuditRecord
    public let previousHash: String
    public let hash: String

    public init(seq: Int64, record: AuditRecord, previousHash: String, hash: String) {
        self.seq = seq
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// The audit log's chain: each row's hash is the SHA-256 of its fields and the previous row's
/// hash, so a row changed, removed or put in out of order breaks it at that row.
public enum AuditChain {
    /// The "previous hash" of the first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of a row: every field, length-prefixed (no field can borrow another's bytes).
    public static func hash(seq: Int64, record: AuditRecord, previousHash: String) -> String {
        var text = ""
        for field in [
            String(seq), Timestamp.string(record.at), record.userID.map { String($0.rawValue) } ?? "-", record.actor, record.address ?? "-",
            record.action, record.detail, previousHash,
        ] {
            text += "\(field.utf8.count):\(field)|"
        }
        return SecureToken.storedForm(text)
    }

    /// The next row after `last` (nil: the log is empty).
    public static func append(_ record: AuditRecord, after last: (seq: Int64, hash: String)?) -> AuditEntry {
        let seq = (last?.seq ?? 0) + 1
        let previous = last?.hash ?? genesis
        return AuditEntry(seq: seq, record: record, previousHash: previous, hash: hash(seq: seq, record: record, previousHash: previous))
    }

    /// Where a chain breaks first.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The row's fields no longer give its hash: it was edited.
            case changed
            /// The row does not follow the row before it: one was removed before it (or the
            /// first rows are missing).
            case removed
            /// The row's number is not after the one before it: it was put in out of order.
            case outOfOrder = "out of order"
        }

        public let seq: Int64
        public let kind: Kind

        public var description: String {
            switch kind {
            case .changed: "row \(seq) was changed (its fields no longer match its hash)"
            case .removed: "the row before row \(seq) was removed (row \(seq) does not follow the row before it)"
            case .outOfOrder: "row \(seq) was inserted out of order"
            }
        }
    }

    /// Checks rows in the order they are stored (by `seq`); nil when the chain holds.
    public struct Verifier: Sendable {
        var last: (seq: Int64, hash: String)?
        public private(set) var checked = 0
        public private(set) var broken: Break?

        public init() {}

        /// Feeds the next row; false once the chain is broken (later rows are not looked at).
        public mutating func feed(_ entry: AuditEntry) -> Bool {
            guard broken == nil else { return false }
            checked += 1
            if hash(seq: entry.seq, record: entry.record, previousHash: entry.previousHash) != entry.hash {
                broken = Break(seq: entry.seq, kind: .changed)
            } else if let last, entry.seq <= last.seq {
                broken = Break(seq: entry.seq, kind: .outOfOrder)
            } else if entry.previousHash != (last?.hash ?? genesis) {
                broken = Break(seq: entry.seq, kind: last.map { entry.seq == $0.seq + 1 } == true ? .outOfOrder : .removed)
            } else if entry.seq != (last?.seq ?? 0) + 1 {
                broken = Break(seq: entry.seq, kind: .removed)
            }
            last = (entry.seq, entry.hash)
            return broken == nil
        }
    }

    public static func verify(_ entries: [AuditEntry]) -> Break? {
        var verifier = Verifier()
        for entry in entries where !verifier.feed(entry) { break }
        return verifier.broken
    }
}

/// The audit trail as CSV (RFC 4180), for the export buttons. A field that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@` first) is quoted with a leading apostrophe.
public enum AuditCSV {
    public static let header = "seq,time,user_id,actor,address,action,detail,hash"

    public static func row(_ entry: AuditEntry) -> String {
        let record = entry.record
        return [
            String(entry.seq), Timestamp.string(record.at), record.userID.map { String($0.rawValue) } ?? "", record.actor, record.address ?? "",
            record.action, record.detail, entry.hash,
        ].map(field).joined(separator: ",")
    }

    public static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func document(_ entries: [AuditEntry]) -> String {
        ([header] + entries.map(row)).joined(separator: "\r\n") + "\r\n"
    }
}
