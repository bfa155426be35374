import Foundation
import Testing

@testable import Common

/// A signal bot's book: what each hook action places or cancels, every refusal with its reason
/// (the allocation, the holdings, the exchange's filters), and what fills do to its holdings,
/// cost and realised PnL.
@Suite struct SignalBookTests {
    static let price = d("50000")
    typealias Action = SignalHookRequest.Action

    static func buy(_ amount: SignalHookRequest.SignalOrder.Amount, limit: String? = nil) -> Action {
        .buy(.init(kind: limit.map { .limit(price: d($0)) } ?? .market, amount: amount))
    }

    static func sell(_ amount: SignalHookRequest.SignalOrder.Amount, limit: String? = nil) -> Action {
        .sell(.init(kind: limit.map { .limit(price: d($0)) } ?? .market, amount: amount))
    }

    static func plan(_ book: inout SignalBook, _ action: Action, allocation: String = "100") -> Result<SignalBook.Plan, SignalActionRefusal> {
        book.plan(action, price: price, filters: gridFilters, allocation: d(allocation))
    }

    @Test func buysAreMarketByQuoteOrLimitsOnTheTickAndStepWithinTheAllocation() throws {
        var book = SignalBook()
        let market = try Self.plan(&book, Self.buy(.quote(25))).get()
        #expect(market.place == [.init(number: 1, side: .buy, price: nil, quantity: nil, quote: 25)] && market.cancel.isEmpty)
        // A limit buy of 30 USDT at 49,000.009: the price on the tick below, the quantity on the step.
        let limit = try Self.plan(&book, Self.buy(.quote(30), limit: "49000.009")).get()
        #expect(limit.place == [.init(number: 2, side: .buy, price: d("49000"), quantity: d("0.00061"))])
        let base = try Self.plan(&book, Self.buy(.base(d("0.0004123")))).get()
        #expect(base.place == [.init(number: 3, side: .buy, price: nil, quantity: d("0.00041"))])
        let share = try Self.plan(&book, Self.buy(.allocationShare(d("0.5")))).get()
        #expect(share.place.first?.quote == 50)
        // Past the allocation: what rests and what is held count.
        book.sent(limit.place[0])
        book.filled(1, side: .buy, price: Self.price, quantity: d("0.0005"), feeQuote: d("0.025"))
        #expect(book.used == d("25.025") + d("0.00061") * d("49000"))
        if case .failure(let refusal) = Self.plan(&book, Self.buy(.quote(60))) {
            #expect(refusal.description.contains("past its allocation"), "\(refusal)")
        } else {
            Issue.record("a buy past the allocation was planned")
        }
        // Under the exchange's minimum notional (5 USDT).
        if case .failure(let refusal) = Self.plan(&book, Self.buy(.quote(2))) {
            #expect(refusal.description.contains("NOTIONAL"), "\(refusal)")
        } else {
            Issue.record("a buy under the minimum was planned")
        }
    }

    @Test func sellsAreOfWhatTheBotHoldsAndHasNotOffered() throws {
        var book = SignalBook()
        if case .failure(let refusal) = Self.plan(&book, Self.sell(.base(d("0.001")))) {
            #expect(refusal.description.contains("holds no BTC") || refusal.description.contains("holds 0"), "\(refusal)")
        } else {
            Issue.record("a sale of nothing was planned")
        }
        book.sent(.init(number: 1, side: .buy, price: nil, quantity: nil, quote: 100))
        book.filled(1, side: .buy, price: Self.price, quantity: d("0.002"), feeQuote: d("0.1"))
        let half = try Self.plan(&book, Self.sell(.allocationShare(d("0.5")), limit: "52000.001")).get()
        #expect(half.place == [.init(number: 2, side: .sell, price: d("52000.01"), quantity: d("0.001"))])
        book.sent(half.place[0])
        #expect(book.offered == d("0.001"))
        // 0.0015 asked, 0.001 free: refused.
        if case .failure(let refusal) = Self.plan(&book, Self.sell(.base(d("0.0015")))) {
            #expect(refusal.description.contains("not already offered"), "\(refusal)")
        } else {
            Issue.record("an oversale was planned")
        }
        let byQuote = try Self.plan(&book, Self.sell(.quote(25))).get()
        #expect(byQuote.place.first?.quantity == d("0.0005"))
    }

    @Test func closeCancelsRestingSellsAndSellsEverythingAndCancelAllCancelsAll() throws {
        var book = SignalBook()
        if case .failure = Self.plan(&book, .cancelAll) {} else { Issue.record("cancel_all with nothing resting was planned") }
        if case .failure = Self.plan(&book, .close) {} else { Issue.record("close with nothing held was planned") }
        if case .failure = Self.plan(&book, .startDeal) {} else { Issue.record("start_deal was planned") }
        book.sent(.init(number: 1, side: .buy, price: nil, quantity: d("0.002")))
        book.filled(1, side: .buy, price: Self.price, quantity: d("0.002"), feeQuote: 0, baseFee: d("0.000002"))
        #expect(book.held == d("0.001998"))
        book.sent(.init(number: 2, side: .sell, price: d("55000"), quantity: d("0.001")))
        book.sent(.init(number: 3, side: .buy, price: d("45000"), quantity: d("0.0002")))
        let close = try Self.plan(&book, .close).get()
        #expect(close.cancel == [2] && close.place.map(\.side) == [.sell] && close.place.first?.quantity == d("0.00199") && close.place.first?.price == nil)
        let cancel = try Self.plan(&book, .cancelAll).get()
        #expect(cancel.cancel.sorted() == [2, 3] && cancel.place.isEmpty)
    }

    @Test func fillsMoveTheHoldingsAtAverageCostAndRealiseOnSales() {
        var book = SignalBook()
        book.filled(1, side: .buy, price: d("100"), quantity: d("2"), feeQuote: d("0.2"))
        book.filled(2, side: .buy, price: d("110"), quantity: d("2"), feeQuote: d("0.2"))
        #expect(book.held == 4 && book.cost == d("420.4") && book.averageEntry == d("105.1"))
        // Sold 1 at 120, fee 0.12: realised 120 − 0.12 − 105.1.
        book.filled(3, side: .sell, price: d("120"), quantity: 1, feeQuote: d("0.12"))
        #expect(book.held == 3 && book.realised == d("14.78") && book.cost == d("315.3"))
        book.filled(4, side: .sell, price: d("100"), quantity: 3, feeQuote: d("0.3"))
        #expect(book.held == 0 && book.cost == 0 && book.realised == d("14.78") + d("300") - d("0.3") - d("315.3"))
        // An order that ended without a fill leaves nothing behind.
        book.sent(.init(number: 5, side: .buy, price: d("90"), quantity: 1))
        book.ended(5)
        #expect(book.resting.isEmpty && book.used == 0)
    }

    @Test func theBookReadsBackFromItsRecord() throws {
        var book = SignalBook()
        book.sent(.init(number: 1, side: .buy, price: d("49000"), quantity: d("0.001")))
        book.filled(2, side: .buy, price: Self.price, quantity: d("0.001"), feeQuote: d("0.05"))
        let read = try JSONDecoder().decode(SignalBook.self, from: JSONEncoder().encode(book))
        #expect(read == book)
    }
}
