import CentralPostgres
import Foundation
import Synchronization
import Testing

@testable import Common

/// The trading and portfolio stores as every backend of the central database answers them
/// (SQLite, PostgreSQL, in memory): SQLite's upserts field by field, its orders and tie-breakers
/// (byte order, ids), its bounds (inclusive from, exclusive before), its nil cases, another
/// user's rows invisible and the feeds' cursors per user.
@Suite struct TradingStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind
    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    static func order(_ client: String, created: Double, side: String = "BUY", bot: Int64? = nil, status: OrderStatus = .new) -> OrderRecord {
        OrderRecord(
            clientOrderID: client, orderID: nil, symbol: "BTCUSDT", side: side, type: "LIMIT", status: status, price: 10, origQty: 1, executedQty: 0,
            createdAt: at(created), updatedAt: at(created), reason: nil, botID: bot
        )
    }

    static func fill(_ trade: Int64, at seconds: Double, bot: Int64? = nil) -> BotFill {
        BotFill(
            symbol: "BTCUSDT", tradeID: trade, orderID: 100 + trade, clientOrderID: "c\(trade)", side: "BUY", price: Decimal(string: "0.1")!,
            qty: Decimal(string: "123.45678901")!, quoteQty: Decimal(string: "12.34567890")!, commission: Decimal(string: "0.00001234")!,
            commissionAsset: "BNB", time: at(seconds), botID: bot
        )
    }

    static func signal(_ symbol: String, at seconds: Double, bot: Int64?, action: String = "buy") -> SignalRecord {
        var signal = SignalRecord(
            symbol: symbol, time: at(seconds), action: action, confidence: 0.75, expectedReturn: -0.25, modelAccuracy: nil, modelPrecision: 0.5,
            trainedAt: at(-60), strategy: "ml", importances: ["rsi": 0.5, "ema": 0.25]
        )
        signal.botID = bot
        return signal
    }

    static func position(_ symbol: String, qty: Decimal, bot: Int64?) -> PositionRecord {
        var position = PositionRecord(
            symbol: symbol, qty: qty, avgEntryPrice: 100, currentPrice: Decimal(string: "101.5")!, unrealizedPnLUSDT: -2, realizedPnLUSDT: 3,
            stopLoss: nil, takeProfit: 120, dust: qty < 1
        )
        position.botID = bot
        return position
    }

    @Test(arguments: Kind.allCases)
    func aSavedOrderKeepsWhatItWasCreatedWithAndTakesTheLatestState(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        var first = Self.order("a", created: 0, bot: 5, status: .intent)
        first.reason = "entry"
        try db.trading.saveOrder(first, for: user)
        var later = OrderRecord(
            clientOrderID: "a", orderID: 7, symbol: "ETHUSDT", side: "SELL", type: "MARKET", status: .partiallyFilled, price: nil, origQty: 2,
            executedQty: Decimal(string: "0.123456789")!, createdAt: Self.at(50), updatedAt: Self.at(1.5), reason: nil, orderListID: 3,
            stopPrice: Decimal(string: "9.5")!, botID: 6
        )
        try db.trading.saveOrder(later, for: user)
        // A later save without the ids or the trigger price, and an earlier status: taken as it is.
        later = Self.order("a", created: 60, bot: nil, status: .new)
        later.updatedAt = Self.at(2)
        later.reason = "late"
        try db.trading.saveOrder(later, for: user)

        let stored = try #require(try db.trading.order(for: user, orderID: 7))
        let expected = OrderRecord(
            clientOrderID: "a", orderID: 7, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .new, price: 10, origQty: 1, executedQty: 0,
            createdAt: Self.at(0), updatedAt: Self.at(2), reason: "late", orderListID: 3, stopPrice: Decimal(string: "9.5")!, botID: 5
        )
        #expect(stored == expected)
        #expect(try db.trading.order(for: other, orderID: 7) == nil)
        #expect(try db.trading.order(for: user, orderID: 8) == nil)
        // Amounts are kept to 8 decimals, as SQLite's text keeps them (the in-memory twin keeps
        // every digit: it stores no text).
        guard kind != .memory else { return }
        try db.trading.saveOrder(
            OrderRecord(
                clientOrderID: "b", orderID: 8, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .new, price: Decimal(string: "0.123456789")!,
                origQty: Decimal(string: "1.000000005")!, executedQty: 0, createdAt: Self.at(3), updatedAt: Self.at(3), reason: nil), for: user)
        let rounded = try #require(try db.trading.order(for: user, orderID: 8))
        #expect(rounded.price == Decimal(string: "0.12345679") && rounded.origQty == 1)
    }

    @Test(arguments: Kind.allCases)
    func ordersAreListedNewestFirstWithTiesInByteOrder(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        // "a", "B" and "c" in one millisecond: byte order sorts "B" before "a", a dictionary order would not.
        for order in [
            Self.order("a", created: 10), Self.order("B", created: 10.0004), Self.order("c", created: 10), Self.order("e", created: 5),
            Self.order("d", created: 20, side: "SELL", bot: 2),
        ] {
            try db.trading.saveOrder(order, for: user)
        }
        try db.trading.saveOrder(Self.order("z", created: 10), for: other)
        let list = { (filter: TradeFilter) in try db.trading.orders(for: user, matching: filter).map(\.clientOrderID) }
        #expect(try list(TradeFilter()) == ["d", "c", "a", "B", "e"])
        #expect(try list(TradeFilter(limit: 2)) == ["d", "c"])
        #expect(try list(TradeFilter(limit: 0)).isEmpty)
        #expect(try list(TradeFilter(side: "SELL")) == ["d"])
        #expect(try list(TradeFilter(bot: 2)) == ["d"])
        #expect(try list(TradeFilter(symbol: "ETHUSDT")).isEmpty)
        // From is inclusive, before exclusive, both to the millisecond.
        #expect(try list(TradeFilter(from: Self.at(10.0009), before: Self.at(20))) == ["c", "a", "B"])
        #expect(try db.trading.orders(for: user, symbol: "BTCUSDT", before: Self.at(10), limit: 10).map(\.clientOrderID) == ["e"])
        #expect(try db.trading.orders(for: user, updatedSince: Self.at(10), limit: 10).map(\.clientOrderID) == ["B", "a", "c", "d"])
        #expect(try db.trading.orders(for: user, updatedSince: Self.at(10), limit: 2).map(\.clientOrderID) == ["B", "a"])
        #expect(try db.trading.orders(for: other, symbol: nil, before: nil, limit: 10).map(\.clientOrderID) == ["z"])
    }

    @Test(arguments: Kind.allCases)
    func everyUsersOrdersAndFillsAreCounted(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.trading.totals() == TradingTotals(orders: 0, openOrders: 0, fills: 0))
        for (index, status) in OrderStatus.allCases.enumerated() {
            try db.trading.saveOrder(Self.order("o\(index)", created: Double(index), status: status), for: index % 2 == 0 ? user : other)
        }
        try db.trading.saveFill(Self.fill(1, at: 0), for: user)
        try db.trading.saveFill(Self.fill(1, at: 0), for: other)
        let open = OrderStatus.allCases.count(where: \.isOpen)
        #expect(try db.trading.totals() == TradingTotals(orders: OrderStatus.allCases.count, openOrders: open, fills: 2))
    }

    @Test(arguments: Kind.allCases)
    func fillCursorsAreEachUsersOwn(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.trading.lastFillRowID(for: user) == 0)
        #expect(try db.trading.fills(for: user, recordedAfter: 0, limit: 10).isEmpty)
        try db.trading.saveFill(Self.fill(1, at: 10.5, bot: 1), for: user)
        try db.trading.saveFill(Self.fill(1, at: 10.5), for: other)
        try db.trading.saveFill(Self.fill(2, at: 5, bot: 2), for: user)
        // The same trade id in another symbol is another fill.
        let eth = BotFill(
            symbol: "ETHUSDT", tradeID: 1, orderID: 9, clientOrderID: "e", side: "SELL", price: 2, qty: 1, quoteQty: 2, commission: 0,
            commissionAsset: "USDT", time: Self.at(7)
        )
        #expect(try db.trading.saveFill(eth, for: user))
        #expect(try !db.trading.saveFill(eth, for: user))

        let recorded = try db.trading.fills(for: user, recordedAfter: 0, limit: 10)
        #expect(recorded.map(\.fill) == [Self.fill(1, at: 10.5, bot: 1), Self.fill(2, at: 5, bot: 2), eth])
        #expect(zip(recorded, recorded.dropFirst()).allSatisfy { $0.rowID < $1.rowID })
        #expect(try db.trading.lastFillRowID(for: user) == recorded[2].rowID)
        #expect(try db.trading.fills(for: user, recordedAfter: recorded[0].rowID, limit: 1).map(\.fill) == [Self.fill(2, at: 5, bot: 2)])
        #expect(try db.trading.fills(for: user, recordedAfter: recorded[2].rowID, limit: 10).isEmpty)
        let others = try db.trading.fills(for: other, recordedAfter: 0, limit: 10)
        #expect(others.map(\.fill) == [Self.fill(1, at: 10.5)])
        #expect(try db.trading.lastFillRowID(for: other) == others[0].rowID)

        #expect(try db.trading.fills(for: user, matching: TradeFilter(bot: 2)).map(\.tradeID) == [2])
        #expect(try db.trading.fills(for: user, matching: TradeFilter(symbol: "BTCUSDT")).map(\.tradeID) == [1, 2])
        #expect(try db.trading.fills(for: user, matching: TradeFilter(from: Self.at(7), before: Self.at(10.5))).map(\.symbol) == ["ETHUSDT"])
        #expect(try db.trading.fills(for: user, matching: TradeFilter(limit: 0)).isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func positionsAreReplacedOnlyForTheirBot(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.trading.todayPnL(for: user) == nil)
        #expect(try db.trading.positions(for: user).isEmpty)
        // Rows of no bot (from before bots): the trader's next save replaces them.
        try db.trading.savePositions([Self.position("XRPUSDT", qty: 5, bot: nil)], todayPnL: nil, for: user, bot: nil, at: Self.at(1))
        let summary = try #require(try db.trading.todayPnL(for: user))
        #expect(summary.value == nil && summary.updatedAt == Self.at(1))
        try db.trading.savePositions(
            [Self.position("SOLUSDT", qty: 2, bot: 1), Self.position("ETHUSDT", qty: 3, bot: 1)], todayPnL: Decimal(string: "-1.25")!, for: user, bot: 1,
            at: Self.at(2))
        try db.trading.saveBotPosition(Self.position("ETHUSDT", qty: Decimal(string: "0.5")!, bot: nil), bot: 7, for: user, at: Self.at(3))
        try db.trading.savePositions([Self.position("ADAUSDT", qty: 9, bot: 8)], todayPnL: 4, for: other, bot: 8, at: Self.at(3))
        #expect(
            try db.trading.positions(for: user) == [
                Self.position("ETHUSDT", qty: 3, bot: 1), Self.position("ETHUSDT", qty: Decimal(string: "0.5")!, bot: 7),
                Self.position("SOLUSDT", qty: 2, bot: 1),
            ])
        let pnl = try #require(try db.trading.todayPnL(for: user))
        #expect(pnl.value == Decimal(string: "-1.25") && pnl.updatedAt == Self.at(2))

        // The trader's save leaves the grid's position; the grid's leaves the trader's.
        try db.trading.savePositions([Self.position("BTCUSDT", qty: 1, bot: 1)], todayPnL: 0, for: user, bot: 1, at: Self.at(4))
        #expect(try db.trading.positions(for: user).map { "\($0.symbol) \($0.botID ?? 0)" } == ["BTCUSDT 1", "ETHUSDT 7"])
        try db.trading.saveBotPosition(nil, bot: 7, for: user, at: Self.at(5))
        #expect(try db.trading.positions(for: user).map(\.symbol) == ["BTCUSDT"])
        #expect(try db.trading.positions(for: other) == [Self.position("ADAUSDT", qty: 9, bot: 8)])
        #expect(try db.trading.todayPnL(for: other)?.value == 4)
    }

    @Test(arguments: Kind.allCases)
    func signalsAreListedNewestFirstAndFollowedByID(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.trading.lastSignalID(for: user) == 0)
        // Two signals in one millisecond: the later recorded first.
        try db.trading.saveSignal(Self.signal("BTCUSDT", at: 10, bot: 1, action: "buy"), for: user)
        try db.trading.saveSignal(Self.signal("BTCUSDT", at: 10.0005, bot: 1, action: "sell"), for: user)
        try db.trading.saveSignal(Self.signal("ETHUSDT", at: 5, bot: 2), for: user)
        try db.trading.saveSignal(Self.signal("BTCUSDT", at: 20, bot: 1), for: other)
        try db.trading.saveSignal(Self.signal("ETHUSDT", at: 30, bot: nil, action: "hold"), for: user)

        let list = { (bot: Int64?, symbol: String?, before: Date?, limit: Int) in
            try db.trading.signals(for: user, bot: bot, symbol: symbol, before: before, limit: limit).map { "\($0.symbol) \($0.action)" }
        }
        #expect(try list(nil, nil, nil, 10) == ["ETHUSDT hold", "BTCUSDT sell", "BTCUSDT buy", "ETHUSDT buy"])
        #expect(try list(nil, nil, nil, 2) == ["ETHUSDT hold", "BTCUSDT sell"])
        #expect(try list(1, nil, nil, 10) == ["BTCUSDT sell", "BTCUSDT buy"])
        #expect(try list(nil, "ETHUSDT", Self.at(30), 10) == ["ETHUSDT buy"])
        #expect(try db.trading.signals(for: user, bot: nil, symbol: nil, before: nil, limit: 10).last == Self.signal("ETHUSDT", at: 5, bot: 2))

        let recorded = try db.trading.signals(for: user, recordedAfter: 0, limit: 10)
        #expect(recorded.map(\.signal.action) == ["buy", "sell", "buy", "hold"])
        #expect(recorded.map(\.signal.botID) == [1, 1, 2, nil])
        #expect(try db.trading.lastSignalID(for: user) == recorded[3].id)
        #expect(try db.trading.signals(for: user, recordedAfter: recorded[1].id, limit: 1).map(\.signal.symbol) == ["ETHUSDT"])
        #expect(try db.trading.signals(for: other, recordedAfter: 0, limit: 10).map(\.signal) == [Self.signal("BTCUSDT", at: 20, bot: 1)])
    }

    @Test(arguments: Kind.allCases)
    func aPortfolioAndAnExchangeStatusAreEachUsersLastSaved(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.portfolios.portfolio(for: user) == nil)
        #expect(try db.portfolios.exchangeStatus(for: user) == nil)
        let lines = [
            PortfolioValuation.Line(asset: "BTC", free: Decimal(string: "0.00012345")!, locked: 1, priceUSDT: 50_000, route: "BTCUSDT"),
            PortfolioValuation.Line(asset: "ACME", free: 3, locked: 0, priceUSDT: nil, route: nil),
        ]
        try db.portfolios.save(PortfolioValuation(lines: lines, balancesAt: Self.at(1), pricesAt: Self.at(2)), for: user, at: Self.at(3))
        let latest = PortfolioValuation(lines: [lines[1]], balancesAt: Self.at(4.25), pricesAt: Self.at(5))
        try db.portfolios.save(latest, for: user, at: Self.at(6))
        #expect(try db.portfolios.portfolio(for: user) == StoredPortfolio(valuation: latest, receivedAt: Self.at(6)))
        try db.portfolios.save(PortfolioValuation(lines: lines, balancesAt: Self.at(1), pricesAt: Self.at(2)), for: other, at: Self.at(3))
        #expect(try db.portfolios.portfolio(for: other)?.valuation.lines == lines)

        try db.portfolios.saveExchangeStatus(reachable: false, since: Self.at(7.5), reason: "timeout", for: user, at: Self.at(8))
        #expect(
            try db.portfolios.exchangeStatus(for: user) == StoredExchangeStatus(reachable: false, since: Self.at(7.5), reason: "timeout", updatedAt: Self.at(8))
        )
        try db.portfolios.saveExchangeStatus(reachable: true, since: nil, reason: nil, for: user, at: Self.at(9))
        #expect(try db.portfolios.exchangeStatus(for: user) == StoredExchangeStatus(reachable: true, since: nil, reason: nil, updatedAt: Self.at(9)))
        #expect(try db.portfolios.exchangeStatus(for: other) == nil)
    }

    @Test(arguments: Kind.allCases)
    func equityKeepsOnePointAMillisecondPerUser(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        #expect(try db.portfolios.equity(for: user, bot: nil, limit: 10, before: nil).isEmpty)
        #expect(try db.portfolios.equity(for: user, since: nil, points: 10).isEmpty)
        try db.portfolios.addEquity(time: Self.at(10.0001), totalUSDT: 1, for: user, bot: 1)
        // The same millisecond: this point replaces the first, its bot too.
        try db.portfolios.addEquity(time: Self.at(10.0007), totalUSDT: Decimal(string: "2.123456789")!, for: user, bot: 2)
        try db.portfolios.addEquity(time: Self.at(20), totalUSDT: 3, for: user, bot: 1)
        try db.portfolios.addEquity(time: Self.at(15), totalUSDT: 99, for: other, bot: 1)
        let totals = { (bot: Int64?, limit: Int, before: Date?) in try db.portfolios.equity(for: user, bot: bot, limit: limit, before: before).map(\.totalUSDT)
        }
        #expect(try totals(nil, 10, nil) == [3, kind == .memory ? Decimal(string: "2.123456789")! : Decimal(string: "2.12345679")!])
        #expect(try totals(1, 10, nil) == [3])
        #expect(try totals(2, 10, nil).count == 1)
        #expect(try totals(nil, 10, Self.at(20)).count == 1)
        #expect(try totals(nil, 0, nil).isEmpty)
        #expect(try db.portfolios.equity(for: user, bot: nil, limit: 1, before: nil).map(\.time) == [Self.at(20)])
        // Since is inclusive; one point asked is every point (there is no slice to thin by).
        #expect(try db.portfolios.equity(for: user, since: Self.at(20), points: 10).map(\.totalUSDT) == [3])
        #expect(try db.portfolios.equity(for: user, since: nil, points: 1).count == 2)
        #expect(try db.portfolios.equity(for: other, since: nil, points: 10).map(\.totalUSDT) == [99])
    }

    /// Several hosts write at once on PostgreSQL: a fill is recorded once however many save it,
    /// and a save of positions replaces the bot's whole set, never mixing two saves' rows.
    @Test(arguments: Kind.allCases)
    func concurrentSavesActAsOneAtATime(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let newFills = Mutex(0)
        let failures = Mutex([String]())
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            do {
                for trade in 1...10 where try db.trading.saveFill(Self.fill(Int64(trade), at: Double(trade)), for: user) {
                    newFills.withLock { $0 += 1 }
                }
                let set = [Self.position("A\(writer)USDT", qty: 1, bot: 1), Self.position("B\(writer)USDT", qty: 2, bot: 1)]
                for _ in 0..<20 { try db.trading.savePositions(set, todayPnL: Decimal(writer), for: user, bot: 1, at: Self.at(1)) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(newFills.withLock { $0 } == 10)
        #expect(try db.trading.fills(for: user, recordedAfter: 0, limit: 100).map(\.fill.tradeID).sorted() == Array(1...10))
        let symbols = try db.trading.positions(for: user).map(\.symbol)
        let writer = try #require(try db.trading.todayPnL(for: user)?.value)
        #expect(symbols == ["A\(writer)USDT", "B\(writer)USDT"])
    }
}
