import Foundation

/// One symbol's open orders, indexed by the price at which a price move acts on them, so that
/// matching looks only at the orders a move reaches instead of every account's every order.
///
/// Each ladder is sorted so that the orders a price `p` reaches are a prefix: resting sells
/// (fill when p ≥ price) and stops that trigger on last ≥ stopPrice ascending; resting buys and
/// stops that trigger on last ≤ stopPrice descending. Trailing stops move with every price, so
/// they are kept apart and all looked at on each pass (they are few).
struct RestingBook: Sendable {
    struct Entry: Sendable, Equatable {
        let price: Decimal
        let orderID: Int64
        let key: String
    }

    /// A sorted array of entries; insert and remove by binary search.
    struct Ladder: Sendable {
        let ascending: Bool
        private(set) var entries: [Entry] = []

        init(ascending: Bool) { self.ascending = ascending }

        /// Whether `a` comes before `b`: by price in the ladder's direction, then by age.
        private func before(_ a: Decimal, _ aID: Int64, _ b: Decimal, _ bID: Int64) -> Bool {
            if a != b { return ascending ? a < b : a > b }
            return aID < bID
        }

        private func index(of price: Decimal, _ orderID: Int64) -> Int {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if before(entries[middle].price, entries[middle].orderID, price, orderID) { low = middle + 1 } else { high = middle }
            }
            return low
        }

        mutating func insert(_ entry: Entry) {
            entries.insert(entry, at: index(of: entry.price, entry.orderID))
        }

        mutating func remove(price: Decimal, orderID: Int64) {
            let at = index(of: price, orderID)
            if at < entries.count, entries[at].orderID == orderID { entries.remove(at: at) }
        }

        /// How many entries (from the front) a price reaches.
        func reached(by price: Decimal) -> Int {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                let reached = ascending ? entries[middle].price <= price : entries[middle].price >= price
                if reached { low = middle + 1 } else { high = middle }
            }
            return low
        }

        mutating func removeFirst(_ count: Int) { entries.removeFirst(count) }
    }

    enum Slot: Sendable { case bid, ask, stopAbove, stopBelow, trailing }

    var bids = Ladder(ascending: false)
    var asks = Ladder(ascending: true)
    var stopsAbove = Ladder(ascending: true)
    var stopsBelow = Ladder(ascending: false)
    /// orderID → account key.
    var trailing: [Int64: String] = [:]

    var count: Int { bids.entries.count + asks.entries.count + stopsAbove.entries.count + stopsBelow.entries.count + trailing.count }

    /// Where an order sits, judged from its current state; nil when a price move cannot act on it.
    static func slot(_ order: SimOrder) -> (Slot, Decimal)? {
        guard order.isOpen else { return nil }
        if order.isWaiting {
            if order.trailAnchor != nil { return (.trailing, 0) }
            return (order.triggersAbove ? .stopAbove : .stopBelow, order.stopPrice ?? 0)
        }
        if order.executesAsMarket { return nil }
        return (order.side == .buy ? .bid : .ask, order.price)
    }

    mutating func add(_ order: SimOrder, key: String) {
        guard case let (slot, price)? = Self.slot(order) else { return }
        let entry = Entry(price: price, orderID: order.orderID, key: key)
        switch slot {
        case .bid: bids.insert(entry)
        case .ask: asks.insert(entry)
        case .stopAbove: stopsAbove.insert(entry)
        case .stopBelow: stopsBelow.insert(entry)
        case .trailing: trailing[order.orderID] = key
        }
    }

    /// Removes an order as it was indexed: call before changing the state `slot` reads.
    mutating func remove(_ order: SimOrder) {
        guard case let (slot, price)? = Self.slot(order) else { return }
        switch slot {
        case .bid: bids.remove(price: price, orderID: order.orderID)
        case .ask: asks.remove(price: price, orderID: order.orderID)
        case .stopAbove: stopsAbove.remove(price: price, orderID: order.orderID)
        case .stopBelow: stopsBelow.remove(price: price, orderID: order.orderID)
        case .trailing: trailing[order.orderID] = nil
        }
    }

    /// Takes out the fixed stops a last price reaches.
    mutating func popTriggered(at price: Decimal) -> [Entry] {
        let above = stopsAbove.reached(by: price)
        let below = stopsBelow.reached(by: price)
        let hit = Array(stopsAbove.entries.prefix(above)) + Array(stopsBelow.entries.prefix(below))
        stopsAbove.removeFirst(above)
        stopsBelow.removeFirst(below)
        return hit
    }

    /// The resting limit orders a price crosses (they stay in the book until they close).
    func crossed(at price: Decimal) -> [Entry] {
        Array(bids.entries.prefix(bids.reached(by: price))) + Array(asks.entries.prefix(asks.reached(by: price)))
    }
}

/// The trailing-stop rule (BINANCE.md §10.1, trailing-stop FAQ): a SELL follows the highest
/// price since tracking began and triggers at a trade ≤ max × (1 − δ/10⁴); a BUY follows the
/// lowest and triggers at a trade ≥ min × (1 + δ/10⁴).
enum TrailingStop {
    /// The new anchor, and whether `price` triggers.
    static func step(side: OrderSide, anchor: Decimal, delta: Int, price: Decimal) -> (anchor: Decimal, triggered: Bool) {
        let fraction = Decimal(delta) / 10_000
        if side == .sell {
            let best = max(anchor, price)
            return (best, price <= best * (1 - fraction))
        }
        let best = min(anchor, price)
        return (best, price >= best * (1 + fraction))
    }

    /// Whether a stop is already met at placement (Binance refuses it: "Order would trigger immediately.").
    static func met(above: Bool, stopPrice: Decimal, last: Decimal) -> Bool {
        above ? last >= stopPrice : last <= stopPrice
    }
}
