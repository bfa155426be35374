import Common
import Foundation
import Logging
import Synchronization
import Testing

@testable import Worker

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

/// The worker's grid and DCA bots (``BotHost``): started from their stored definitions, stepped
/// at the exchange's prices, stopped, refused with the reason, and rebuilt from their records by
/// a new host (a restarted worker). Live bots on `InMemoryExchange`, paper bots on a
/// ``PaperExchange`` over it. No process, no network, no sleep: each tick is called.
@Suite struct BotHostTests {
    final class Records: HostedBotStore {
        let records = Mutex<[Int64: HostedBotRecord]>([:])
        func load(_ bot: Int64) throws -> HostedBotRecord? { records.withLock { $0[bot] } }
        func save(_ bot: Int64, _ record: HostedBotRecord) throws { records.withLock { $0[bot] = record } }
        func runningBots() throws -> [Int64] { records.withLock { $0.filter(\.value.running).map(\.key).sorted() } }
        let seen = Mutex<[Int64: Int64]>([:])
        func saveObserved(_ bot: Int64, until: Int64) throws { seen.withLock { $0[bot] = until } }
        func observed(_ bot: Int64) throws -> Int64? { seen.withLock { $0[bot] } }
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// 100–200 in 5 levels with 400 USDT, as ``GridRunnerTests/plan``.
    static func grid(_ name: String = "grid", mode: BotDefinition.Mode, lower: Decimal = 100, upper: Decimal = 200) -> String {
        let parameters = GridParameters(symbol: "BTCUSDT", lowerPrice: lower, upperPrice: upper, levels: 5, spacing: .arithmetic, investment: 400)
        let definition = BotDefinition(
            name: name, mode: mode, allocationUsdt: 400, plan: .grid(parameters), paperBalances: mode == .paper ? ["USDT": 1_000] : [:])
        return String(decoding: definition.encoded(), as: UTF8.self)
    }

    static func host(live: InMemoryExchange?, market: InMemoryExchange, records: Records, reports: TraderTests.Reports) -> BotHost {
        BotHost(user: 5, live: live, market: market, store: records, reporter: reports, logger: Logger(label: "test"), fee: d("0.001"), slippage: 0)
    }

    /// The last status reported for `bot`.
    static func status(_ reports: TraderTests.Reports, _ bot: Int64) throws -> BotRunStatus {
        let statuses = reports.list.withLock { $0 }.compactMap { report -> BotRunStatus? in
            if case .botStatus(let status) = report, status.botID == bot { status } else { nil }
        }
        return try #require(statuses.last)
    }

    static func orders(_ status: BotRunStatus) -> [String] {
        status.openOrders.map { "\($0.level ?? -1) \($0.side) \($0.price)" }.sorted()
    }

    @Test func aPaperGridTradesWithoutAKeyNeverTouchesTheAccountAndComesBackFromItsRecord() async throws {
        let market = GridRunnerTests.exchange()
        market.setBalance("USDT", 5_000)
        let (records, reports) = (Records(), TraderTests.Reports())
        let host = Self.host(live: nil, market: market, records: records, reports: reports)
        await host.request(.start(bot: 3, definition: Self.grid(mode: .paper)))
        await host.tick(now: Self.t0)
        var status = try Self.status(reports, 3)
        #expect(status.state == "running" && status.mode == "paper")
        #expect(Self.orders(status) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "4 SELL 200"])

        // The price trades through 150 (the buy fills), then through 175 (its sell fills).
        market.setPrice("BTCUSDT", 149)
        await host.tick(now: Self.t0 + 1)
        market.setPrice("BTCUSDT", d("175.01"))
        await host.tick(now: Self.t0 + 2)
        status = try Self.status(reports, 3)
        #expect(status.cycles == 1)
        #expect(status.gridProfit == d("16.64975") - d("0.099999") - d("0.11654825"))
        #expect(status.realisedPnL == status.gridProfit && status.todayPnL == status.gridProfit)
        #expect(status.fills.map { "\($0.side) \($0.level ?? -1)" } == ["BUY 2", "SELL 3"])
        #expect(status.balances["USDT"] != nil)
        // The account the paper bot reads its prices from: no order, no trade, its money unchanged.
        #expect(try await market.openOrders().isEmpty)
        #expect(try await market.myTrades(symbol: "BTCUSDT").isEmpty)
        #expect(market.balance("USDT").free == 5_000 && market.balance("BTC").free == 0)

        // A restarted worker: a new host rebuilds the grid from its record (its virtual exchange
        // included), with its cycle, its fills and the same four orders, none doubled.
        let reportsAfter = TraderTests.Reports()
        let restarted = Self.host(live: nil, market: market, records: records, reports: reportsAfter)
        await restarted.request(.start(bot: 3, definition: Self.grid(mode: .paper)))
        await restarted.tick(now: Self.t0 + 10)
        let rebuilt = try Self.status(reportsAfter, 3)
        #expect(rebuilt.state == "running")
        #expect(rebuilt.cycles == 1 && rebuilt.gridProfit == status.gridProfit)
        #expect(Self.orders(rebuilt) == Self.orders(status))
        #expect(rebuilt.fills.count == 2)
        #expect(await restarted.paperAccount(3)?.open.count == 4)
        #expect(rebuilt.balances == status.balances)
    }

    /// Between two looks the price went down through 150 and back: the exchange's 1-second
    /// candle says so, and the paper buy at 150 fills although the last price never moved.
    @Test func aPaperOrderTheCandleWentThroughFillsBetweenTwoLooks() async throws {
        let market = GridRunnerTests.exchange()
        let reports = TraderTests.Reports()
        let host = Self.host(live: nil, market: market, records: Records(), reports: reports)
        await host.request(.start(bot: 3, definition: Self.grid(mode: .paper)))
        await host.tick(now: Self.t0)
        let ms = Int64(Self.t0.timeIntervalSince1970 * 1000)
        func candle(_ open: Int64, low: Decimal, high: Decimal) -> Kline {
            Kline(openTime: open, open: 160, high: high, low: low, close: 160, volume: 1, closeTime: open + 999, trades: 1)
        }
        // A candle from before the bot looked first is not its business; one that has not closed
        // yet is not read; the one that closed since is.
        market.setKlines("BTCUSDT", interval: "1s", [candle(ms - 1_000, low: 120, high: 160), candle(ms + 1_000, low: 149, high: 161), candle(ms + 2_000, low: 124, high: 160)])
        await host.tick(now: Self.t0 + 2.5)
        let status = try Self.status(reports, 3)
        #expect(status.fills.map { "\($0.side) \($0.level ?? -1)" } == ["BUY 2"])
        #expect(Self.orders(status) == ["0 BUY 100", "1 BUY 125", "3 SELL 175", "4 SELL 200"])
    }

    /// A paper grid's worker is down while the price goes through 150 and back: at its restart
    /// the candles it missed fill the buy, and its sell one level up is placed.
    @Test func aPaperGridCatchesUpWithTheCandlesItMissedWhileDown() async throws {
        let market = GridRunnerTests.exchange()
        let records = Records()
        let first = Self.host(live: nil, market: market, records: records, reports: TraderTests.Reports())
        await first.request(.start(bot: 3, definition: Self.grid(mode: .paper)))
        await first.tick(now: Self.t0)
        await first.tick(now: Self.t0 + 1)
        let ms = Int64(Self.t0.timeIntervalSince1970 * 1000)
        market.setKlines("BTCUSDT", interval: "1s", [
            Kline(openTime: ms + 30_000, open: 160, high: 160, low: 149, close: 158, volume: 1, closeTime: ms + 30_999, trades: 1)
        ])
        let reports = TraderTests.Reports()
        let restarted = Self.host(live: nil, market: market, records: records, reports: reports)
        await restarted.request(.start(bot: 3, definition: Self.grid(mode: .paper)))
        await restarted.tick(now: Self.t0 + 60)
        let status = try Self.status(reports, 3)
        #expect(status.fills.map { "\($0.side) \($0.level ?? -1)" } == ["BUY 2"])
        #expect(Self.orders(status) == ["0 BUY 100", "1 BUY 125", "3 SELL 175", "4 SELL 200"])
        #expect(await restarted.paperAccount(3)?.open.count == 4)
    }

    @Test func aLiveGridKilledWhileThePriceCrossedTwoLevelsIsRebuiltWithoutADuplicateOrAGap() async throws {
        let exchange = GridRunnerTests.exchange()
        let records = Records()
        let first = Self.host(live: exchange, market: exchange, records: records, reports: TraderTests.Reports())
        await first.request(.start(bot: 1, definition: Self.grid(mode: .live)))
        await first.tick(now: Self.t0)
        #expect(try await GridRunnerTests.resting(exchange) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "3 SELL 200"])

        // The worker is gone; the price falls through 150 and 125 and comes back to 140.
        exchange.setPrice("BTCUSDT", 120)
        exchange.setPrice("BTCUSDT", 140)
        let reports = TraderTests.Reports()
        let restarted = Self.host(live: exchange, market: exchange, records: records, reports: reports)
        await restarted.request(.start(bot: 1, definition: Self.grid(mode: .live)))
        await restarted.tick(now: Self.t0 + 60)
        // Each filled buy got its sell one level up; nothing was placed twice.
        #expect(try await GridRunnerTests.resting(exchange) == ["0 BUY 100", "1 SELL 150", "2 SELL 175", "3 SELL 200"])
        let status = try Self.status(reports, 1)
        #expect(status.state == "running" && status.mode == "live")
        #expect(status.fills.map { "\($0.side) \($0.level ?? -1)" }.sorted() == ["BUY 1", "BUY 2"])
        // What the three sells sell: the opening's 0.57142, and the two buys less their fee in
        // BTC on the step (0.8 − 0.0008; 0.66666 − 0.00066666 down to 0.66599).
        #expect(status.held == d("0.57142") + d("0.7992") + d("0.66599"))
        // A third start of the same bot (the supervisor's line and a queued command) changes nothing.
        await restarted.request(.start(bot: 1, definition: Self.grid(mode: .live)))
        await restarted.tick(now: Self.t0 + 61)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").count == 4)
    }

    @Test func aBotStoppedWhileNoWorkerListenedIsStoppedAtTheNextStart() async throws {
        let exchange = GridRunnerTests.exchange()
        let records = Records()
        let first = Self.host(live: exchange, market: exchange, records: records, reports: TraderTests.Reports())
        await first.request(.start(bot: 1, definition: Self.grid(mode: .live)))
        await first.tick(now: Self.t0)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").count == 4)
        // The supervisor names no bot to run at the next start: bot 1 is brought back and stopped.
        let reports = TraderTests.Reports()
        let restarted = Self.host(live: exchange, market: exchange, records: records, reports: reports)
        await restarted.request(.settle(wanted: []))
        await restarted.tick(now: Self.t0 + 60)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").isEmpty)
        let status = try Self.status(reports, 1)
        #expect(status.state == "stopped" && status.reason == "stopped by its owner")
        #expect(try records.runningBots().isEmpty)
        // Its stop arriving again changes nothing and says stopped.
        await restarted.request(.stop(bot: 1, sell: false))
        await restarted.tick(now: Self.t0 + 61)
        #expect(try Self.status(reports, 1).state == "stopped")
        // Started again: a fresh grid, its order ids not the first run's (an exchange may answer
        // for an old order by its id).
        await restarted.request(.start(bot: 1, definition: Self.grid(mode: .live)))
        await restarted.tick(now: Self.t0 + 62)
        let again = try await exchange.openOrders(symbol: "BTCUSDT")
        #expect(again.count == 4 && again.allSatisfy { $0.clientOrderID.contains("-1001-G") }, "\(again.map(\.clientOrderID))")
        #expect(try Self.status(reports, 1).state == "running")
    }

    @Test func twoGridsOfOneUserOnOneSymbolKeepTheirOrdersAndCoinsApart() async throws {
        let exchange = GridRunnerTests.exchange()
        exchange.setBalance("USDT", 2_000)
        let reports = TraderTests.Reports()
        let host = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        await host.request(.start(bot: 1, definition: Self.grid("one", mode: .live)))
        await host.request(.start(bot: 10, definition: Self.grid("ten", mode: .live)))
        await host.tick(now: Self.t0)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").count == 8)
        let held = try Self.status(reports, 10).held
        let heldByOne = try Self.status(reports, 1).held
        #expect(held > 0 && held == heldByOne)

        // Bot 1 stops and sells: only its coins go; bot 10's orders and coins stay.
        await host.request(.stop(bot: 1, sell: true))
        await host.tick(now: Self.t0 + 1)
        let stopped = try Self.status(reports, 1)
        #expect(stopped.state == "stopped" && stopped.reason == "stopped and sold by its owner")
        #expect(stopped.openOrders.isEmpty && stopped.held == 0)
        let left = try await exchange.openOrders(symbol: "BTCUSDT")
        #expect(left.count == 4 && left.allSatisfy { $0.clientOrderID.contains("-10-G") })
        #expect(exchange.balance("BTC").locked == held)
        #expect(try Self.status(reports, 10).state == "running")
    }

    /// A trailing grid whose price rose above its range with every level sold moves its range up
    /// (a new run: new client ids), keeps its cycles, and a restarted worker rebuilds it on the
    /// moved range without placing anything twice.
    @Test func aTrailingGridMovesUpAndARestartKeepsTheMovedRange() async throws {
        let exchange = GridRunnerTests.exchange()
        let records = Records()
        let reports = TraderTests.Reports()
        let host = Self.host(live: exchange, market: exchange, records: records, reports: reports)
        let parameters = GridParameters(
            symbol: "BTCUSDT", lowerPrice: 100, upperPrice: 200, levels: 5, spacing: .arithmetic, investment: 400, trailing: true)
        let text = String(decoding: BotDefinition(name: "trail", mode: .live, allocationUsdt: 400, plan: .grid(parameters)).encoded(), as: UTF8.self)
        await host.request(.start(bot: 7, definition: text))
        await host.tick(now: Self.t0)
        #expect(try await GridRunnerTests.resting(exchange) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "3 SELL 200"])

        // Through 150 and back up to 210: the buy, then both sells fill; at the next look the
        // range moves up a level to 125–225 and its buys rest below the price.
        exchange.setPrice("BTCUSDT", 149)
        await host.tick(now: Self.t0 + 5)
        exchange.setPrice("BTCUSDT", 210)
        await host.tick(now: Self.t0 + 10)
        let open = try await exchange.openOrders(symbol: "BTCUSDT")
        #expect(open.map { "\($0.side) \($0.price)" }.sorted() == ["BUY 125", "BUY 150", "BUY 175", "BUY 200"])
        #expect(open.allSatisfy { $0.clientOrderID.contains("-7001-G") }, "\(open.map(\.clientOrderID))")
        let moved = try Self.status(reports, 7)
        #expect(moved.state == "running" && moved.levels == [125, 150, 175, 200, 225] && moved.rangeMoves == 1)
        #expect(moved.cycles == 2 && moved.gridProfit ?? 0 > 0 && moved.held == 0)
        #expect(moved.value == 400 + moved.realisedPnL + (moved.unrealisedPnL ?? -1_000), "its allocation plus its PnL")

        // A restarted worker: the moved range, the same four buys, the cycles kept.
        let again = TraderTests.Reports()
        let restarted = Self.host(live: exchange, market: exchange, records: records, reports: again)
        await restarted.request(.start(bot: 7, definition: text))
        await restarted.tick(now: Self.t0 + 60)
        let rebuilt = try Self.status(again, 7)
        #expect(rebuilt.state == "running" && rebuilt.levels == moved.levels && rebuilt.cycles == 2 && rebuilt.gridProfit == moved.gridProfit)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").count == 4)

        // Started below its range, a trailing grid is refused: the range trails up only.
        let below = GridParameters(symbol: "BTCUSDT", lowerPrice: 250, upperPrice: 300, levels: 3, spacing: .arithmetic, investment: 100, trailing: true)
        await restarted.request(.start(bot: 8, definition: String(decoding: BotDefinition(name: "below", mode: .live, allocationUsdt: 100, plan: .grid(below)).encoded(), as: UTF8.self)))
        await restarted.tick(now: Self.t0 + 61)
        #expect(try Self.status(again, 8).reason?.contains("trailing moves the range up only") == true)
    }

    /// A trailing grid whose new range is refused ends in error with the reason, its buys
    /// cancelled, nothing left resting: far above, cells 25 USDT apart no longer earn twice the fee.
    @Test func aTrailingGridThatCannotOpenOnItsNewRangeEndsWithTheReason() async throws {
        let exchange = GridRunnerTests.exchange()
        let reports = TraderTests.Reports()
        let host = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        let parameters = GridParameters(
            symbol: "BTCUSDT", lowerPrice: 100, upperPrice: 200, levels: 5, spacing: .arithmetic, investment: 400, trailing: true)
        await host.request(.start(bot: 7, definition: String(decoding: BotDefinition(name: "trail", mode: .live, allocationUsdt: 400, plan: .grid(parameters)).encoded(), as: UTF8.self)))
        await host.tick(now: Self.t0)
        exchange.setPrice("BTCUSDT", 20_000)
        await host.tick(now: Self.t0 + 5)
        let status = try Self.status(reports, 7)
        #expect(status.state == "error")
        #expect(status.reason?.hasPrefix("the range moved up to 19925–20025, but the grid could not open there") == true, "\(status.reason ?? "")")
        #expect(status.reason?.contains("twice the fee") == true)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").isEmpty)
    }

    /// A live DCA bot started on `sma_cross`: its start strategy's word on each closed candle is a
    /// signal row naming it, once per candle; its buy opens a deal.
    @Test func aLiveDCABotsStartSignalsAreRowsThatNameIt() async throws {
        let exchange = DCARunnerTests.exchange()
        let reports = TraderTests.Reports()
        let host = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        var parameters = DCARunnerTests.plan.parameters
        parameters.start = .smaCross(fast: 2, slow: 3)
        let definition = BotDefinition(name: "dca", mode: .live, allocationUsdt: 1_000, plan: .dca(parameters))
        // Falling, then up on the last closed candle: the 2-candle average crosses the 3-candle one.
        let closes: [Decimal] = [100, 99, 98, 97, 96, 100]
        let now = Int64(Self.t0.timeIntervalSince1970 * 1000)
        exchange.setKlines("BTCUSDT", interval: "1m", closes.enumerated().map { index, close in
            let open = now - Int64(closes.count - index) * 60_000 - 1_000
            return Kline(openTime: open, open: close, high: close, low: close, close: close, volume: 1, closeTime: open + 59_999, trades: 1)
        })
        await host.request(.start(bot: 2, definition: String(decoding: definition.encoded(), as: UTF8.self)))
        await host.tick(now: Self.t0)
        await host.tick(now: Self.t0 + 11)
        let signals = reports.list.withLock { $0 }.compactMap { if case .signal(let signal) = $0 { signal } else { nil } }
        #expect(signals.map { "\($0.botID ?? 0) \($0.action) \($0.strategy) \($0.symbol)" } == ["2 buy sma_cross BTCUSDT"])
        #expect(try Self.status(reports, 2).deals.map(\.number) == [1])
    }

    /// A live grid's orders and fills are rows that name it (the supervisor stores them for it):
    /// each order when it is new or changed, each trade once; another order on the account is
    /// none of its rows, and a look that changed nothing adds none.
    @Test func aLiveGridsOrdersAndFillsAreRowsThatNameIt() async throws {
        let exchange = GridRunnerTests.exchange()
        let reports = TraderTests.Reports()
        func rows() -> (orders: [OrderRecord], fills: [BotFill]) {
            let list = reports.list.withLock { $0 }
            return (
                list.compactMap { if case .order(let order) = $0 { order } else { nil } },
                list.compactMap { if case .fill(let fill) = $0 { fill } else { nil } }
            )
        }
        // A person's order on the same symbol.
        _ = try await exchange.place(NewOrder(
            symbol: "BTCUSDT", side: .buy, kind: .limit(quantity: d("0.1"), price: 90, timeInForce: "GTC"), clientOrderID: "u5-BTCUSDT-1-M"))
        let host = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        await host.request(.start(bot: 7, definition: Self.grid(mode: .live)))
        await host.tick(now: Self.t0)
        var (orders, fills) = rows()
        #expect(orders.allSatisfy { $0.botID == 7 && $0.clientOrderID.hasPrefix("u5-BTCUSDT-7-G") && $0.reason == "grid bot grid" })
        #expect(orders.map { "\($0.side) \($0.type) \($0.status.rawValue)" }.sorted() == [
            "BUY LIMIT NEW", "BUY LIMIT NEW", "BUY LIMIT NEW", "BUY MARKET FILLED", "SELL LIMIT NEW",
        ])
        // The opening purchase's trade.
        #expect(fills.count >= 1 && fills.allSatisfy { $0.botID == 7 && $0.clientOrderID.hasSuffix("-GO") && $0.side == "BUY" })
        let openingFills = fills.count

        // The price goes through 150: at the next look the buy is filled and its sell placed.
        exchange.setPrice("BTCUSDT", 149)
        await host.tick(now: Self.t0 + 6)
        (orders, fills) = rows()
        let buy150 = orders.filter { $0.price == 150 && $0.side == "BUY" }.map(\.status.rawValue)
        #expect(buy150 == ["NEW", "FILLED"])
        #expect(orders.contains { $0.side == "SELL" && $0.price == 175 && $0.status == .new })
        #expect(fills.count > openingFills && fills.dropFirst(openingFills).allSatisfy { $0.botID == 7 && $0.price == 150 })
        #expect(Set(fills.map(\.tradeID)).count == fills.count)
        #expect(!orders.contains { $0.clientOrderID == "u5-BTCUSDT-1-M" })

        // A look that finds nothing new adds no row.
        let before = reports.list.withLock { $0 }.filter { if case .botStatus = $0 { false } else { true } }.count
        await host.tick(now: Self.t0 + 12)
        #expect(reports.list.withLock { $0 }.filter { if case .botStatus = $0 { false } else { true } }.count == before)
    }

    @Test func everyRefusalIsTheBotsStateWithItsReasonAndLeavesTheOthersRunning() async throws {
        let exchange = GridRunnerTests.exchange()
        let reports = TraderTests.Reports()
        let keyless = Self.host(live: nil, market: exchange, records: Records(), reports: reports)
        // A range without the price, a live bot without a key, a definition that does not read.
        await keyless.request(.start(bot: 1, definition: Self.grid(mode: .paper, lower: 170, upper: 250)))
        await keyless.request(.start(bot: 2, definition: Self.grid(mode: .live)))
        await keyless.request(.start(bot: 3, definition: "{\"name\": 1}"))
        await keyless.request(.start(bot: 4, definition: Self.grid(mode: .paper)))
        await keyless.tick(now: Self.t0)
        let outside = try Self.status(reports, 1)
        #expect(outside.state == "error" && outside.reason?.contains("the price 160 is outside the range 170–250") == true)
        #expect(try Self.status(reports, 2).reason == "a live bot needs an exchange API key; store one, or run it on paper")
        #expect(try Self.status(reports, 3).reason?.hasPrefix("its definition does not read") == true)
        #expect(try Self.status(reports, 4).state == "running")
        // Levels too close for the fee, and more than the free balance.
        let live = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        let narrow = GridParameters(symbol: "BTCUSDT", lowerPrice: 159, upperPrice: 161, levels: 20, spacing: .arithmetic, investment: 400)
        let tooMuch = GridParameters(symbol: "BTCUSDT", lowerPrice: 100, upperPrice: 200, levels: 5, spacing: .arithmetic, investment: 5_000)
        for (id, parameters) in [(Int64(5), narrow), (6, tooMuch)] {
            let text = String(decoding: BotDefinition(name: "x", mode: .live, allocationUsdt: 10_000, plan: .grid(parameters)).encoded(), as: UTF8.self)
            await live.request(.start(bot: id, definition: text))
        }
        await live.tick(now: Self.t0)
        #expect(try Self.status(reports, 5).reason?.contains("does not exceed twice the fee") == true)
        #expect(try Self.status(reports, 6).reason?.contains("more than the free balance of 1000") == true)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").isEmpty)
    }

    @Test func aLiveDCADealAveragesDownTakesProfitAndTheNextDealOpens() async throws {
        let exchange = DCARunnerTests.exchange()
        let reports = TraderTests.Reports()
        let host = Self.host(live: exchange, market: exchange, records: Records(), reports: reports)
        let definition = BotDefinition(name: "dca", mode: .live, allocationUsdt: 1_000, plan: .dca(DCARunnerTests.plan.parameters))
        await host.request(.start(bot: 2, definition: String(decoding: definition.encoded(), as: UTF8.self)))
        await host.tick(now: Self.t0)
        await host.tick(now: Self.t0 + 5)
        var status = try Self.status(reports, 2)
        #expect(status.deals.map(\.number) == [1])
        #expect(status.openOrders.map { "\($0.role ?? "") \($0.price)" }.sorted() == ["safety 1 98", "safety 2 94", "safety 3 86", "take-profit 101.5"])

        // Two safety orders fill: the take-profit moves to the new average.
        exchange.setPrice("BTCUSDT", 94)
        await host.tick(now: Self.t0 + 10)
        status = try Self.status(reports, 2)
        #expect(status.deals.first?.safetyFilled == 2 && status.deals.first?.takeProfit == d("97.88"))

        // The take-profit fills: the deal closes with its PnL realised, and a new one opens at once.
        exchange.setPrice("BTCUSDT", 98)
        await host.tick(now: Self.t0 + 15)
        await host.tick(now: Self.t0 + 20)
        status = try Self.status(reports, 2)
        let closed = try #require(status.deals.first { $0.number == 1 })
        #expect(closed.phase == "closed" && closed.closeReason == "take-profit")
        #expect(status.realisedPnL == closed.pnl && status.realisedPnL > 0)
        #expect(status.deals.contains { $0.number == 2 && $0.phase == "open" })
        #expect(status.fills.map { "\($0.side) \($0.role ?? "")" } == [
            "BUY deal 1 base", "BUY deal 1 safety 1", "BUY deal 1 safety 2", "SELL deal 1 take-profit", "BUY deal 2 base",
        ])
    }
}
