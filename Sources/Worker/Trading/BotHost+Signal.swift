import Common
import Foundation

extension BotHost {
    /// Where a signal's outcome goes: to the command that carried it.
    final class SignalReply: Sendable, Equatable {
        let continuation: CheckedContinuation<String, Never>
        init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }
        func send(_ outcome: String) { continuation.resume(returning: outcome) }
        static func == (a: SignalReply, b: SignalReply) -> Bool { a === b }
    }

    /// Queues a signal for the bot and returns its outcome once the next tick carried it out.
    func perform(signal action: SignalHookRequest.Action, bot: Int64) async -> String {
        await withCheckedContinuation { continuation in
            request(.signal(bot: bot, action: action, reply: SignalReply(continuation)))
        }
    }

    /// A `signal` bot: its book from its record (a restarted worker looks at the orders it had
    /// resting, by their client ids), or a new one.
    func startSignal(_ bot: Bot, filters: SymbolFilters, rebuilding: Bool) async throws {
        let book = rebuilding ? bot.record.signalBook ?? SignalBook() : SignalBook()
        let runner = SignalRunner(client: bot.exchange, user: user, bot: Self.orderKey(bot: bot.id, run: bot.record.run), filters: filters, book: book)
        bot.signal = runner
        if rebuilding { try await syncSignal(bot, runner) }
    }

    /// One look at the bot's resting orders.
    func syncSignal(_ bot: Bot, _ runner: SignalRunner) async throws {
        try await runner.sync()
        let book = await runner.book
        let fills = await runner.takeFills()
        if book != bot.record.signalBook || !fills.isEmpty {
            bot.record.signalBook = book
            recordFills(bot, fills)
            save(bot)
        }
    }

    /// Carries out a signal from the bot's hook at the last price: returns the outcome.
    func actOnSignal(_ bot: Bot, _ runner: SignalRunner, _ action: SignalHookRequest.Action, now: Date) async -> String {
        guard let price = bot.price else { return "refused: the exchange's price of \(bot.symbol) is not known yet" }
        let plan: SignalBook.Plan
        switch await runner.prepare(action, price: price, allocation: bot.definition.allocationUsdt) {
        case .failure(let refusal): return "refused: \(refusal.description)"
        case .success(let planned): plan = planned
        }
        // Recorded before anything goes out: a worker killed now finds the orders by their ids.
        bot.record.signalBook = await runner.book
        save(bot)
        let outcome = await runner.execute(plan)
        bot.record.signalBook = await runner.book
        recordFills(bot, await runner.takeFills())
        if let paper = bot.paper, paper.revision != bot.savedRevision { save(bot) }
        save(bot)
        await report(bot, now: now, force: true)
        logger.info("bot.signal", metadata: ["bot.id": "\(bot.id)", "action": "\(action.name)", "outcome": "\(outcome)"])
        return outcome
    }

    /// A signal bot's figures for its status.
    func signalStatus(_ book: SignalBook, price: Decimal?, into status: inout BotRunStatus) {
        status.held = book.held
        status.averageEntry = book.averageEntry
        status.unrealisedPnL = price.map { book.held * $0 - book.cost }
        status.allocationUsed = book.used
        status.openOrders = book.resting.map { order in
            BotRunStatus.Order(
                side: order.side.rawValue, price: order.price ?? 0, quantity: order.quantity ?? 0, level: nil, role: "signal order H\(String(order.number, radix: 36))")
        }
    }
}
