import Common
import Foundation
import Testing

@testable import ExchangeSim

/// The simulator's index of resting orders: price-time order, which entries a price reaches,
/// and where each kind of order sits. No process, no socket.
@Suite struct RestingBookTests {
    static func entry(_ price: Decimal, _ id: Int64) -> RestingBook.Entry { .init(price: price, orderID: id, key: "k\(id)") }

    static func order(
        _ id: Int64, _ side: OrderSide, _ type: String, price: Decimal = 0, stop: Decimal? = nil, anchor: Decimal? = nil, status: String = "NEW"
    ) -> SimOrder {
        var order = SimOrder(
            orderID: id, clientOrderID: "c\(id)", symbol: "BTCUSDT", side: side, type: type, timeInForce: nil, price: price, origQty: 1,
            origQuoteOrderQty: 0, time: 0, updateTime: 0)
        order.status = status
        if SimOrder.stopTypes.contains(type) {
            order.stopPrice = stop
            order.trailAnchor = anchor
            order.awaitingTrigger = true
        }
        return order
    }

    /// Where `RestingBook.slot` puts an order, as "bid 99"; nil when nowhere.
    static func slot(_ order: SimOrder) -> String? { RestingBook.slot(order).map { "\($0.0) \($0.1)" } }

    static func ids(_ entries: [RestingBook.Entry]) -> [Int64] { entries.map(\.orderID) }

    @Test func insertKeepsPriceThenTimeOrderInBothDirections() {
        var asks = RestingBook.Ladder(ascending: true)
        var bids = RestingBook.Ladder(ascending: false)
        for (price, id) in [(Decimal(102), Int64(1)), (100, 2), (101, 3), (100, 4), (102, 5), (100, 0)] {
            asks.insert(Self.entry(price, id))
            bids.insert(Self.entry(price, id))
        }
        // Same price: the older (lower) order id first, whichever way the ladder runs.
        #expect(Self.ids(asks.entries) == [0, 2, 4, 3, 1, 5])
        #expect(Self.ids(bids.entries) == [1, 5, 3, 0, 2, 4])
    }

    @Test func removeTakesOutOnlyTheNamedOrder() {
        var ladder = RestingBook.Ladder(ascending: true)
        for (price, id) in [(Decimal(100), Int64(1)), (100, 2), (100, 3), (101, 4)] { ladder.insert(Self.entry(price, id)) }
        ladder.remove(price: 100, orderID: 2)
        #expect(Self.ids(ladder.entries) == [1, 3, 4])
        // An order not at that price, or not there at all, leaves the ladder as it is.
        ladder.remove(price: 101, orderID: 1)
        ladder.remove(price: 100, orderID: 9)
        #expect(Self.ids(ladder.entries) == [1, 3, 4])
        ladder.insert(Self.entry(100, 2))
        #expect(Self.ids(ladder.entries) == [1, 2, 3, 4])
    }

    @Test func reachedCountsThePrefixAPriceReachesExactHitIncluded() {
        var asks = RestingBook.Ladder(ascending: true)
        var bids = RestingBook.Ladder(ascending: false)
        for (price, id) in [(Decimal(100), Int64(1)), (101, 2), (101, 3), (102, 4)] {
            asks.insert(Self.entry(price, id))
            bids.insert(Self.entry(price, id))
        }
        // Asks are reached by prices at or above them, from the lowest.
        #expect(asks.reached(by: 99) == 0)
        #expect(asks.reached(by: 100) == 1)
        #expect(asks.reached(by: Decimal(string: "100.99")!) == 1)
        #expect(asks.reached(by: 101) == 3)
        #expect(asks.reached(by: 1_000) == 4)
        // Bids by prices at or below them, from the highest.
        #expect(bids.reached(by: 103) == 0)
        #expect(bids.reached(by: 102) == 1)
        #expect(bids.reached(by: 101) == 3)
        #expect(bids.reached(by: 1) == 4)
    }

    @Test func eachKindOfOrderSitsInItsSlot() {
        #expect(Self.slot(Self.order(1, .buy, "LIMIT", price: 99)) == "bid 99")
        #expect(Self.slot(Self.order(1, .sell, "LIMIT_MAKER", price: 101)) == "ask 101")
        // SL SELL and TP BUY trigger as the price falls; SL BUY and TP SELL as it rises.
        #expect(Self.slot(Self.order(1, .sell, "STOP_LOSS", stop: 90)) == "stopBelow 90")
        #expect(Self.slot(Self.order(1, .buy, "TAKE_PROFIT_LIMIT", price: 89, stop: 90)) == "stopBelow 90")
        #expect(Self.slot(Self.order(1, .buy, "STOP_LOSS_LIMIT", price: 111, stop: 110)) == "stopAbove 110")
        #expect(Self.slot(Self.order(1, .sell, "TAKE_PROFIT", stop: 110)) == "stopAbove 110")
        #expect(Self.slot(Self.order(1, .sell, "STOP_LOSS", anchor: 100)) == "trailing 0")
        // Nothing a price move acts on: a market order, a closed order.
        #expect(Self.slot(Self.order(1, .buy, "MARKET")) == nil)
        #expect(Self.slot(Self.order(1, .buy, "LIMIT", price: 99, status: "FILLED")) == nil)
    }

    @Test func crossedNamesTheRestingOrdersAPriceReachesOnEitherSide() {
        var book = RestingBook()
        for order in [
            Self.order(1, .buy, "LIMIT", price: 100), Self.order(2, .buy, "LIMIT", price: 99), Self.order(3, .sell, "LIMIT", price: 105),
            Self.order(4, .sell, "LIMIT", price: 106),
        ] {
            book.add(order, key: "k\(order.orderID)")
        }
        #expect(Self.ids(book.crossed(at: 102)) == [])
        #expect(Self.ids(book.crossed(at: 100)) == [1])
        #expect(Self.ids(book.crossed(at: 99)) == [1, 2])
        #expect(Self.ids(book.crossed(at: 105)) == [3])
        #expect(Self.ids(book.crossed(at: 110)) == [3, 4])
        // Crossing does not take them out; removing does.
        book.remove(Self.order(3, .sell, "LIMIT", price: 105))
        #expect(Self.ids(book.crossed(at: 110)) == [4])
        #expect(book.count == 3)
    }

    @Test func popTriggeredTakesOutTheStopsALastPriceReaches() {
        var book = RestingBook()
        for order in [
            Self.order(1, .sell, "STOP_LOSS", stop: 90), Self.order(2, .sell, "STOP_LOSS", stop: 80),
            Self.order(3, .buy, "STOP_LOSS", stop: 110), Self.order(4, .sell, "TAKE_PROFIT", stop: 120),
            Self.order(5, .sell, "STOP_LOSS", anchor: 100),
        ] {
            book.add(order, key: "k\(order.orderID)")
        }
        #expect(book.count == 5)
        #expect(Self.ids(book.popTriggered(at: 100)) == [])
        #expect(Self.ids(book.popTriggered(at: 110)) == [3])
        #expect(Self.ids(book.popTriggered(at: 110)) == [])
        #expect(Self.ids(book.popTriggered(at: 80)) == [1, 2])
        #expect(Self.ids(book.popTriggered(at: 80)) == [])
        #expect(Self.ids(book.stopsAbove.entries) == [4])
        // Trailing stops are not fixed stops: they stay, looked at on every pass.
        #expect(book.trailing == [5: "k5"])
    }
}

/// The trailing-stop rule and the stop already met at placement.
@Suite struct TrailingStopTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    @Test func aSellFollowsTheHighestPriceAndTriggersOnTheRetrace() {
        // δ = 100 bips = 1 %.
        var step = TrailingStop.step(side: .sell, anchor: 100, delta: 100, price: 105)
        #expect(step.anchor == 105 && !step.triggered)
        step = TrailingStop.step(side: .sell, anchor: 105, delta: 100, price: Self.d("103.96"))
        #expect(step.anchor == 105 && !step.triggered)
        step = TrailingStop.step(side: .sell, anchor: 105, delta: 100, price: Self.d("103.95"))
        #expect(step.anchor == 105 && step.triggered)
        // A rise after a dip moves the anchor up, never down.
        step = TrailingStop.step(side: .sell, anchor: 105, delta: 100, price: 104)
        #expect(step.anchor == 105)
    }

    @Test func aBuyFollowsTheLowestPriceAndTriggersOnTheRebound() {
        var step = TrailingStop.step(side: .buy, anchor: 100, delta: 200, price: 95)
        #expect(step.anchor == 95 && !step.triggered)
        step = TrailingStop.step(side: .buy, anchor: 95, delta: 200, price: Self.d("96.89"))
        #expect(step.anchor == 95 && !step.triggered)
        step = TrailingStop.step(side: .buy, anchor: 95, delta: 200, price: Self.d("96.9"))
        #expect(step.anchor == 95 && step.triggered)
        step = TrailingStop.step(side: .buy, anchor: 95, delta: 200, price: 96)
        #expect(step.anchor == 95)
    }

    @Test func aStopMetAtPlacementIsOneTheLastPriceAlreadyReached() {
        #expect(TrailingStop.met(above: true, stopPrice: 100, last: 100))
        #expect(TrailingStop.met(above: true, stopPrice: 100, last: 101))
        #expect(!TrailingStop.met(above: true, stopPrice: 100, last: 99))
        #expect(TrailingStop.met(above: false, stopPrice: 100, last: 100))
        #expect(TrailingStop.met(above: false, stopPrice: 100, last: 99))
        #expect(!TrailingStop.met(above: false, stopPrice: 100, last: 101))
    }
}
