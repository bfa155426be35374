import Common
import Foundation
import Logging
import Testing

@testable import Worker

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

/// A `signal` bot in the worker's ``BotHost`` on `InMemoryExchange`: each signal is carried out at
/// the tick it was queued for and answered with its outcome; a resting limit buy fills when the
/// price crosses it; a new host (a restarted worker) takes the bot back from its record; close
/// sells what it holds. And the host's ``Wakeup``. No process, no network: each tick is called.
@Suite(.timeLimit(.minutes(1))) struct SignalBotHostTests {
    typealias Records = BotHostTests.Records
    static let t0 = BotHostTests.t0

    static func definition() -> String {
        let definition = BotDefinition(name: "tv", mode: .live, allocationUsdt: 300, plan: .signal(SignalBotParameters(symbol: "BTCUSDT")))
        return String(decoding: definition.encoded(), as: UTF8.self)
    }

    /// Queues a signal, runs the tick that carries it out, and returns the outcome.
    static func signal(_ host: BotHost, _ action: SignalHookRequest.Action, at seconds: Double) async -> String {
        let outcome = Task { await host.perform(signal: action, bot: 7) }
        while await !host.hasRequests { await Task.yield() }
        await host.tick(now: t0.addingTimeInterval(seconds))
        return await outcome.value
    }

    @Test func aSignalBotTradesOnItsSignalsAndComesBackFromItsRecord() async throws {
        let exchange = GridRunnerTests.exchange()  // BTCUSDT at 160, 1,000 USDT
        let (records, reports) = (Records(), TraderTests.Reports())
        let host = BotHostTests.host(live: exchange, market: exchange, records: records, reports: reports)
        // Not running yet: refused, nothing sent.
        #expect(await Self.signal(host, .startDeal, at: 0) == "refused: the bot is not running")
        await host.request(.start(bot: 7, definition: Self.definition()))
        await host.tick(now: Self.t0)
        #expect(try BotHostTests.status(reports, 7).state == "running")

        let bought = await Self.signal(host, .buy(.init(kind: .market, amount: .quote(100))), at: 1)
        #expect(bought.hasPrefix("ok: bought 0.625 at 160"), "\(bought)")
        let rests = await Self.signal(host, .buy(.init(kind: .limit(price: 150), amount: .quote(60))), at: 2)
        #expect(rests.contains("rests"), "\(rests)")
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").map(\.clientOrderID).allSatisfy { OrderPurpose($0).isHostedBotOrder })
        let tooMuch = await Self.signal(host, .buy(.init(kind: .market, amount: .quote(150))), at: 3)
        #expect(tooMuch.contains("past its allocation"), "\(tooMuch)")
        #expect(await Self.signal(host, .startDeal, at: 3).hasPrefix("refused: a signal bot does not start deal"))

        // The price crosses the resting buy: the next look finds it filled.
        exchange.setPrice("BTCUSDT", 149)
        await host.tick(now: Self.t0.addingTimeInterval(10))
        var status = try BotHostTests.status(reports, 7)
        // 0.625 + 0.4 BTC bought, less the exchange's fee taken in BTC.
        let held = status.held
        #expect(held > d("1.02") && held < d("1.025") && status.openOrders.isEmpty, "\(status)")
        #expect(status.allocationUsed > 159 && status.allocationUsed < 161, "\(status.allocationUsed)")

        // A restarted worker: a new host takes the bot back from its record.
        let reborn = BotHostTests.host(live: exchange, market: exchange, records: records, reports: reports)
        await reborn.request(.start(bot: 7, definition: Self.definition()))
        await reborn.tick(now: Self.t0.addingTimeInterval(20))
        status = try BotHostTests.status(reports, 7)
        #expect(status.state == "running" && status.held == held, "\(status)")
        let closed = await Self.signal(reborn, .close, at: 21)
        #expect(closed.hasPrefix("ok: sold \(DecimalText.plain(SymbolFilters.floor(held, step: d("0.00001")))) at 149"), "\(closed)")
        status = try BotHostTests.status(reports, 7)
        // What is left is under the exchange's step: dust, not a position.
        #expect(status.held < d("0.00001") && status.realisedPnL < 0, "\(status)")
        #expect(await Self.signal(reborn, .close, at: 22).contains("holds no BTC"))
    }

    @Test func theWakeupEndsAWaitAtOnceAndOtherwiseAfterItsTimeout() async {
        let wakeup = Wakeup()
        // Rung before the wait: the wait returns at once (a 60 s wait would fail the time limit).
        wakeup.signal()
        let started = ContinuousClock.now
        await wakeup.wait(upTo: .seconds(60))
        // Rung during the wait, from elsewhere.
        let ringer = Task {
            try? await Task.sleep(for: .milliseconds(20))
            wakeup.signal()
        }
        await wakeup.wait(upTo: .seconds(60))
        _ = await ringer.value
        // Not rung: the timeout ends it.
        await wakeup.wait(upTo: .milliseconds(10))
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
