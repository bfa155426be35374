import Common
import Foundation

extension BotHost {
    /// A new grid is checked against the exchange (``GridPlan/make``) and opened; a grid the
    /// worker ran before is rebuilt from its opening and the exchange's orders.
    func startGrid(_ bot: Bot, _ parameters: GridParameters, filters: SymbolFilters, price: Decimal, rebuilding: Bool) async throws {
        if rebuilding, let opening = bot.record.opening {
            // The same levels and quantities as at the opening: the plan depends only on the
            // parameters and the symbol's filters.
            guard case .success(let plan) = GridPlan.make(
                parameters, filters: filters, price: opening.price, makerFee: fee, freeQuote: parameters.investment, allocation: nil)
            else { throw StartFailure("its grid no longer fits the symbol's filters; stop it and create it again") }
            let runner = GridRunner(client: bot.exchange, user: user, grid: Self.orderKey(bot: bot.id, run: bot.record.run), plan: plan, filters: filters, takerFee: fee)
            bot.grid = runner
            try await runner.rebuild(from: opening)
            record(bot, gridFills: Array(await runner.replayed.dropFirst(bot.record.gridFillsSeen)), now: Date())
            return
        }
        if parameters.trailing, !(parameters.lowerPrice < price && price < parameters.upperPrice) {
            throw StartFailure("lower_price: the price \(price) is outside the range \(parameters.lowerPrice)–\(parameters.upperPrice); trailing the range is not run by this version, so the grid starts inside it")
        }
        let free = try await freeQuote(bot.exchange, filters)
        let plan: GridPlan
        switch GridPlan.make(parameters, filters: filters, price: price, makerFee: fee, freeQuote: free, allocation: bot.definition.allocationUsdt) {
        case .success(let made): plan = made
        case .failure(let refusals): throw StartFailure(refusals.description)
        }
        let runner = GridRunner(client: bot.exchange, user: user, grid: Self.orderKey(bot: bot.id, run: bot.record.run), plan: plan, filters: filters, takerFee: fee)
        bot.grid = runner
        // Recorded before any order goes out: a worker killed while opening finds its record.
        bot.record.running = true
        save(bot)
        bot.record.opening = try await runner.open(price: price)
    }

    /// One look at the grid: its filled orders and their opposites, then its stop-loss or
    /// take-profit.
    func stepGrid(_ bot: Bot, _ runner: GridRunner, price: Decimal, now: Date) async throws {
        let fills = try await runner.sync()
        if !fills.isEmpty {
            record(bot, gridFills: fills, now: now)
            save(bot)
        }
        if let reason = await runner.book?.exitReason(at: price) {
            await stop(bot, sell: true, reason: reason, now: now)
        }
    }

    func record(_ bot: Bot, gridFills fills: [GridFill], now: Date) {
        let added = fills.map { fill in
            BotRunStatus.Fill(
                time: Self.ms(now), side: fill.side.rawValue, price: fill.price, quantity: fill.quantity, feeQuote: fill.feeQuote,
                level: fill.side == .buy ? fill.cell : fill.cell + 1, role: nil)
        }
        bot.record.fills = Array((bot.record.fills + added).suffix(BotRunStatus.fillLimit))
        bot.record.gridFillsSeen += fills.count
    }
}
