import Common
import Foundation
import Testing

@Suite struct ProtocolTests {
    @Test func supervisorMessagesRoundTrip() throws {
        let messages: [SupervisorMessage] = [
            .credentials(apiKey: "k", apiSecret: "s\"\n", exchangeURL: "http://127.0.0.1:9090"),
            .command(id: 7, name: "start", payload: nil),
            .command(id: 8, name: "settings_changed", payload: "{\"a\":1}"),
            .bot(id: 12, definition: "{\"name\":\"grid\"}"),
            .lease(untilMs: 1_790_000_004_000),
            .traderState("emergency_stopped"),
        ]
        for message in messages {
            let line = message.line()
            #expect(!line.contains("\n"))
            #expect(try SupervisorMessage.parse(line) == message)
        }
    }

    @Test func workerReportsRoundTrip() throws {
        let reports: [WorkerReport] = [
            .heartbeat(state: "running"), .acknowledged(commandID: 3, result: "ok"), .event(level: "error", kind: "x", message: "y"),
        ]
        for report in reports {
            #expect(try WorkerReport.parse(report.line()) == report)
        }
    }

    /// An order, fill or signal row names the bot a worker claims it for; the supervisor keeps the
    /// claim only for the user's own live grid or DCA bot (and an order id of that user's bot orders).
    @Test func aRowsClaimCountsOnlyForTheUsersLiveGridOrDCABot() throws {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let order = OrderRecord(
            clientOrderID: "u5-BTCUSDT-7-G2B0", orderID: 9, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .new, price: 150, origQty: 1,
            executedQty: 0, createdAt: time, updatedAt: time, reason: "grid bot g", botID: 7)
        let fill = BotFill(
            symbol: "BTCUSDT", tradeID: 3, orderID: 9, clientOrderID: "u5-BTCUSDT-7-D1S", side: "BUY", price: 150, qty: 1, quoteQty: 150,
            commission: 0, commissionAsset: "USDT", time: time, botID: 8)
        #expect(try WorkerReport.parse(WorkerReport.order(order).line()) == .order(order))
        #expect(try WorkerReport.parse(WorkerReport.fill(fill).line()) == .fill(fill))
        #expect(WorkerReport.order(order).rowClaim?.bot == 7 && WorkerReport.fill(fill).rowClaim?.bot == 8)

        let hosted: Set<Int64> = [7, 8]
        #expect(RowOwner.bot(claim: (7, "u5-BTCUSDT-7-G2B0"), user: 5, firstBot: 1, liveHostedBots: hosted) == 7)
        #expect(RowOwner.bot(claim: (8, "u5-BTCUSDT-8-D1S"), user: 5, firstBot: 1, liveHostedBots: hosted) == 8)
        // No claim, another user's (or a paper) bot, or the first bot's own order id: the first bot's.
        #expect(RowOwner.bot(claim: nil, user: 5, firstBot: 1, liveHostedBots: hosted) == 1)
        #expect(RowOwner.bot(claim: (9, "u5-BTCUSDT-9-G2B0"), user: 5, firstBot: 1, liveHostedBots: hosted) == 1)
        #expect(RowOwner.bot(claim: (7, "u5-BTCUSDT-1700-BE"), user: 5, firstBot: 1, liveHostedBots: hosted) == 1)
        #expect(RowOwner.bot(claim: (7, "u6-BTCUSDT-7-G2B0"), user: 5, firstBot: 1, liveHostedBots: hosted) == 1)
        #expect(RowOwner.bot(claim: nil, user: 5, firstBot: nil, liveHostedBots: []) == nil)
        // A DCA bot's start signal has no order id: the bot's claim alone, for its live bot.
        var signal = SignalRecord(
            symbol: "BTCUSDT", time: time, action: "buy", confidence: nil, expectedReturn: nil, modelAccuracy: nil, modelPrecision: nil, trainedAt: nil,
            strategy: "sma_cross", importances: [:])
        signal.botID = 8
        #expect(try WorkerReport.parse(WorkerReport.signal(signal).line()) == .signal(signal))
        #expect(RowOwner.bot(claim: WorkerReport.signal(signal).rowClaim, user: 5, firstBot: 1, liveHostedBots: hosted) == 8)
        #expect(RowOwner.bot(claim: WorkerReport.signal(signal).rowClaim, user: 5, firstBot: 1, liveHostedBots: [7]) == 1)
    }

    /// A live bot's coins are its position; a paper bot's never join the real ones.
    @Test func aLiveBotsStatusIsItsPositionAPaperBotsIsNone() {
        var status = BotRunStatus(botID: 7, state: "running", reason: nil, mode: "live", symbol: "BTCUSDT", updatedAt: 1_800_000_000_000)
        #expect(status.position == nil, "nothing held")
        status.held = 2
        status.averageEntry = 150
        status.price = 160
        status.unrealisedPnL = 19
        status.realisedPnL = 4
        let position = status.position
        #expect(position?.botID == 7 && position?.qty == 2 && position?.avgEntryPrice == 150 && position?.unrealizedPnLUSDT == 19)
        #expect(position?.realizedPnLUSDT == 4 && position?.currentPrice == 160 && position?.symbol == "BTCUSDT")
        status.mode = "paper"
        #expect(status.position == nil)
    }

    @Test func aBotStatusRoundTripsAndOneOutOfBoundsIsRefused() throws {
        var status = BotRunStatus(botID: 4, state: "running", reason: nil, mode: "paper", symbol: "BTCUSDT", updatedAt: 1_800_000_000_123)
        status.price = Decimal(string: "45000.12345678")!
        status.gridProfit = Decimal(string: "0.000000012345678901")!
        status.fills = [.init(time: 1_800_000_000_000, side: "SELL", price: 45_100, quantity: Decimal(string: "0.00021")!, feeQuote: Decimal(string: "0.0094")!, level: 7, role: nil)]
        status.deals = [.init(number: 3, phase: "open", entry: 100, average: Decimal(string: "98.9899")!, safetyFilled: 1, safetyOrders: 3, takeProfit: Decimal(string: "100.48")!, held: 2, pnl: nil, closeReason: nil)]
        status.balances = ["USDT": Decimal(string: "999.5")!, "BTC": Decimal(string: "0.00001")!]
        #expect(try WorkerReport.parse(WorkerReport.botStatus(status).line()) == .botStatus(status))
        var odd = status
        odd.state = "dancing"
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(WorkerReport.botStatus(odd).line()) }
        odd = status
        odd.fills = Array(repeating: status.fills[0], count: BotRunStatus.fillLimit + 1)
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(WorkerReport.botStatus(odd).line()) }
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(#"{"type":"bot_status","status":"{\"bot_id\":1}"}"#) }
    }

    @Test(arguments: [
        "", "nonsense", "[1,2]", "{\"type\":\"mystery\"}", "{\"type\":\"ack\"}", "{\"type\":\"heartbeat\",\"state\":5}",
        "{\"type\":\"event\",\"level\":\"error\",\"kind\":\"k\",\"message\":\"" + String(repeating: "x", count: 3000) + "\"}",
    ])
    func badReportsAreRefusedWithAReason(line: String) {
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(line) }
    }

    @Test func aClaimedUserIDIsNotPartOfAReport() throws {
        let report = try WorkerReport.parse("{\"type\":\"event\",\"level\":\"info\",\"kind\":\"k\",\"message\":\"m\",\"user_id\":99}")
        #expect(report == .event(level: "info", kind: "k", message: "m"))
    }

    /// A worker's rows are given the bot the supervisor names (``RowOwner``): what the line says
    /// is only a claim.
    @Test func aClaimedBotIDIsOnlyAClaimAndTheSupervisorsIsSet() throws {
        let fill = BotFill(
            symbol: "BTCUSDT", tradeID: 1, orderID: 2, clientOrderID: "u1-BTCUSDT-1-BE", side: "BUY", price: 10, qty: 1, quoteQty: 10, commission: 0,
            commissionAsset: "USDT", time: Date(timeIntervalSince1970: 1_790_000_000))
        var claimed = fill.json
        claimed["bot_id"] = 99
        let line = String(decoding: try JSONSerialization.data(withJSONObject: ["type": "fill", "fill": claimed]), as: UTF8.self)
        let report = try WorkerReport.parse(line)
        guard case .fill(let parsed) = report else { Issue.record("not a fill"); return }
        #expect(parsed.botID == 99 && report.rowClaim?.bot == 99)
        let owner = RowOwner.bot(claim: report.rowClaim, user: 1, firstBot: 7, liveHostedBots: [8])
        #expect(owner == 7)
        guard case .fill(let tagged) = report.tagged(bot: owner) else { Issue.record("not a fill"); return }
        #expect(tagged.botID == 7)
        let position = PositionRecord(
            symbol: "BTCUSDT", qty: 1, avgEntryPrice: 10, currentPrice: 11, unrealizedPnLUSDT: 1, realizedPnLUSDT: 0, stopLoss: nil, takeProfit: nil)
        guard case .positions(let positions, _) = WorkerReport.positions([position, position], todayPnL: 1).tagged(bot: 7) else { return }
        #expect(positions.map(\.botID) == [7, 7])
        #expect(WorkerReport.positions([], todayPnL: nil).carriesRows && !WorkerReport.heartbeat(state: "running").carriesRows)
        #expect(WorkerReport.heartbeat(state: "running").tagged(bot: 7) == .heartbeat(state: "running"))
    }

    @Test func timestampsAreUTCWithMillisecondsAndRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_568_652.823)
        #expect(Timestamp.string(date) == "2026-11-25T01:04:12.823Z")
        let back = try #require(Timestamp.date(Timestamp.string(date)))
        #expect(abs(back.timeIntervalSince(date)) < 0.001)
        #expect(Timestamp.date("yesterday") == nil)
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func keysAreMaskedToTheirEnds() {
        #expect(KeyMask.mask("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A") == "vmPU…Eh8A")
        #expect(!KeyMask.mask("12345678").contains("1234"))
    }
}
