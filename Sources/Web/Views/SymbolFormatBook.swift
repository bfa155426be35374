import Common
import Foundation
import Synchronization

/// The formats of the symbols the pages show, from the exchange catalog's filters (its cached
/// `exchangeInfo`). Pages share one book: a symbol's tick and step sizes are asked for once, by
/// one request at a time, not once per page view; while the exchange does not answer, pages are
/// written with the stored values (`SymbolFormat.unknown`) and the book asks again only after
/// `retryAfter`, so a page never waits on an unreachable exchange more than once a minute.
final class SymbolFormatBook: Sendable {
    private let catalog: ExchangeCatalog?
    private let state = Mutex(State())
    /// Tick and step sizes change rarely; the catalog itself keeps them five minutes.
    static let refreshAfter: TimeInterval = 300
    static let retryAfter: TimeInterval = 60

    private struct State {
        var formats: [String: SymbolFormat] = [:]
        var askedAt: [String: Date] = [:]
        var failedAt: Date?
        var pending: Task<Void, Never>?
    }

    /// `catalog` nil: no exchange to ask (tests); every symbol is written as stored.
    init(catalog: ExchangeCatalog?) { self.catalog = catalog }

    /// The format of each of `symbols` (unknown ones as `SymbolFormat.unknown`); waits for the
    /// exchange's answer only for a symbol never seen before.
    func formats(for symbols: some Sequence<String>) async -> [String: SymbolFormat] {
        let wanted = Set(symbols)
        let (known, task) = lookUp(wanted, wait: true)
        guard let task else { return Self.pick(wanted, from: known) }
        await task.value
        return Self.pick(wanted, from: state.withLock { $0.formats })
    }

    /// The formats known now, never waiting (a refresh is started when one is due).
    func cached(for symbols: some Sequence<String>) -> [String: SymbolFormat] {
        let wanted = Set(symbols)
        return Self.pick(wanted, from: lookUp(wanted, wait: false).known)
    }

    private func lookUp(_ wanted: Set<String>, wait: Bool) -> (known: [String: SymbolFormat], task: Task<Void, Never>?) {
        let now = Date()
        return state.withLock { s in
            let due = wanted.filter { s.askedAt[$0].map { now.timeIntervalSince($0) > Self.refreshAfter } ?? true }
            let mayAsk = catalog != nil && !due.isEmpty && (s.failedAt.map { now.timeIntervalSince($0) > Self.retryAfter } ?? true)
            if mayAsk, s.pending == nil { s.pending = Task { await self.ask(due) } }
            // Wait only for symbols never seen; an old format is still right while it refreshes.
            let waitFor = wait && mayAsk && due.contains { s.formats[$0] == nil } ? s.pending : nil
            return (s.formats, waitFor)
        }
    }

    private static func pick(_ wanted: Set<String>, from formats: [String: SymbolFormat]) -> [String: SymbolFormat] {
        Dictionary(uniqueKeysWithValues: wanted.map { ($0, formats[$0] ?? .unknown) })
    }

    private func ask(_ symbols: Set<String>) async {
        guard let catalog else { return }
        var found: [String: SymbolFormat] = [:]
        var failed = false
        for symbol in symbols.sorted() {
            do throws(APIError) {
                // The first symbol fetches the exchange's whole list; the rest come from its cache.
                if let filters = try await catalog.filters(symbol) { found[symbol] = SymbolFormat(filters) }
            } catch {
                failed = true
                break
            }
        }
        let now = Date()
        state.withLock { s in
            for (symbol, format) in found { s.formats[symbol] = format }
            if failed { s.failedAt = now } else { for symbol in symbols { s.askedAt[symbol] = now } }
            s.pending = nil
        }
    }
}
