import Common
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The user's real portfolio: balances from the exchange (the account endpoint at start, then the
/// user data stream, and a REST reconciliation every minute), prices every 5 s, valued in USDT
/// and reported on every change and at least every 5 s; an equity point every minute.
///
/// An exchange that does not answer is a state, reported with the time it began and the reason;
/// reads are retried with backoff and everything resumes by itself.
/// The latest valuation of the account, for the trader's risk checks and exits.
protocol PortfolioSource: Sendable {
    var current: PortfolioValuation? { get }
}

final class PortfolioService: Service, PortfolioSource {
    struct Settings: Sendable {
        var priceEvery: Duration = .seconds(5)
        var reconcileEvery: Duration = .seconds(60)
        var reportEvery: Duration = .seconds(5)
        var tick: Duration = .milliseconds(250)
    }

    struct State {
        var balances: [String: AccountSnapshot.Balance] = [:]
        var balancesAt: Date?
        var prices: [String: Decimal] = [:]
        var pricesAt: Date?
        var lastAccountRead: ContinuousClock.Instant?
        var lastPriceRead: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
        var lastReported: PortfolioValuation?
        var lastEquityMinute: Int64 = 0
        var unreachableSince: Date?
        var retryAt: ContinuousClock.Instant?
        var backoff: Duration = .milliseconds(500)
        /// The stream delivered balances since the last valuation.
        var streamChanged = false
    }

    let client: BinanceClient
    let reporter: Reporter
    let logger: Logger
    let settings: Settings
    private let state = Mutex(State())

    init(client: BinanceClient, reporter: Reporter, logger: Logger, settings: Settings = Settings()) {
        self.client = client
        self.reporter = reporter
        self.logger = logger
        self.settings = settings
    }

    /// The latest valuation, for the other services (risk, positions).
    var current: PortfolioValuation? { state.withLock { $0.lastReported } }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.followUserStream() }
                group.addTask { await self.loop() }
                await group.waitForAll()
            }
        }
    }

    private func loop() async {
        while !Task.isCancelled {
            await step(now: ContinuousClock.now)
            try? await Task.sleep(for: settings.tick)
        }
    }

    /// One pass: read what is due, value, report.
    func step(now: ContinuousClock.Instant) async {
        let (accountDue, pricesDue, waiting) = state.withLock { s in
            (
                s.lastAccountRead.map { now - $0 >= settings.reconcileEvery } ?? true,
                s.lastPriceRead.map { now - $0 >= settings.priceEvery } ?? true,
                s.retryAt.map { now < $0 } ?? false
            )
        }
        if waiting { return }
        do {
            if accountDue {
                if state.withLock({ $0.lastAccountRead == nil }) { try await client.synchronizeTime() }
                let account = try await client.account()
                state.withLock { s in
                    s.balances = Dictionary(account.balances.map { ($0.asset, $0) }, uniquingKeysWith: { $1 })
                    s.balancesAt = account.updateTime
                    s.lastAccountRead = now
                }
            }
            if pricesDue {
                let prices = try await client.tickerPrices()
                state.withLock { s in
                    s.prices = prices
                    s.pricesAt = Date()
                    s.lastPriceRead = now
                }
            }
            reachable()
        } catch {
            if Task.isCancelled { return }  // stopping, not an outage
            unreachable(error, now: now)
            return
        }
        report(now: now)
    }

    private func report(now: ContinuousClock.Instant) {
        let (valuation, due, equityMinute): (PortfolioValuation?, Bool, Int64?) = state.withLock { s in
            guard let balancesAt = s.balancesAt, let pricesAt = s.pricesAt else { return (nil, false, nil) }
            let valuation = PortfolioValuation.value(Array(s.balances.values), prices: s.prices, balancesAt: balancesAt, pricesAt: pricesAt)
            let changed = valuation.lines != s.lastReported?.lines || valuation.totalUSDT != s.lastReported?.totalUSDT
            let due = changed || s.streamChanged || s.lastReport.map { now - $0 >= settings.reportEvery } ?? true
            if due {
                s.lastReported = valuation
                s.lastReport = now
                s.streamChanged = false
            }
            let minute = Int64(pricesAt.timeIntervalSince1970 / 60)
            var equity: Int64?
            if minute > s.lastEquityMinute {
                s.lastEquityMinute = minute
                equity = minute
            }
            return (valuation, due, equity)
        }
        guard let valuation else { return }
        if due { reporter.send(.portfolio(valuation)) }
        if let equityMinute {
            reporter.send(.equity(time: Date(timeIntervalSince1970: TimeInterval(equityMinute * 60)), totalUSDT: valuation.totalUSDT))
        }
    }

    private func reachable() {
        let recovered: Date? = state.withLock { s in
            defer {
                s.unreachableSince = nil
                s.backoff = .milliseconds(500)
                s.retryAt = nil
            }
            return s.unreachableSince
        }
        if let since = recovered {
            logger.notice("exchange.reachable_again", metadata: ["unreachable_since": "\(Timestamp.string(since))"])
            reporter.send(.exchange(reachable: true, since: nil, reason: nil))
        } else if state.withLock({ $0.lastReported == nil }) {
            reporter.send(.exchange(reachable: true, since: nil, reason: nil))
        }
    }

    private func unreachable(_ error: ExchangeError, now: ContinuousClock.Instant) {
        let reason: String
        switch error {
        case .rejected(let code, let message): reason = "the exchange refused the request: \(message) (\(code))"
        default: reason = "\(error)"
        }
        let (since, first): (Date, Bool) = state.withLock { s in
            let first = s.unreachableSince == nil
            let since = s.unreachableSince ?? Date()
            s.unreachableSince = since
            var wait = s.backoff
            if case .rateLimited(let seconds) = error { wait = .seconds(seconds) }
            if case .banned(let seconds) = error { wait = .seconds(seconds) }
            s.retryAt = now + wait
            s.backoff = min(s.backoff * 2, .seconds(30))
            return (since, first)
        }
        if first { logger.warning("exchange.unreachable", metadata: ["reason": "\(reason)"]) }
        reporter.send(.exchange(reachable: false, since: since, reason: reason))
    }

    /// Balance updates from the user data stream (WebSocket API subscription).
    private func followUserStream() async {
        let stream = BinanceStream(url: client.webSocketAPIURL, logger: logger) { [client] in client.userDataSubscription() ?? "" }
        for await event in stream.events() {
            if Task.isCancelled { break }
            if case .balances(let changed) = event {
                state.withLock { s in
                    for balance in changed { s.balances[balance.asset] = balance }
                    s.balancesAt = Date()
                    s.streamChanged = true
                }
            }
        }
    }
}
