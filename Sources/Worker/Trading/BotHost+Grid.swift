import Common
import Foundation

extension BotHost {
    /// A new grid is checked against the exchange (``GridPlan/make``) and opened; a grid the
    /// worker ran before is rebuilt from its opening and the exchange's orders.
    func startGrid(_ bot: Bot, _ defined: GridParameters, filters: SymbolFilters, price: Decimal, rebuilding: Bool) async throws {
        var parameters = defined
        if let range = bot.record.range {
            // A trailing grid whose range moved up: its levels are the moved range's.
            (parameters.lowerPrice, parameters.upperPrice) = (range.lower, range.upper)
        }
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
        if parameters.trailing, price <= parameters.lowerPrice {
            throw StartFailure("lower_price: the price \(price) is below the range \(parameters.lowerPrice)–\(parameters.upperPrice); trailing moves the range up only, so start it with the price inside")
        }
        if let moved = GridTrail.movedUp(parameters, price: price, tickSize: filters.tickSize) {
            // Started above its range: it opens where the range trails to.
            parameters = moved
            bot.record.range = .init(lower: moved.lowerPrice, upper: moved.upperPrice)
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
            return
        }
        // Above its range with every cell sold: a trailing grid moves up (``GridTrail``).
        guard let book = await runner.book, book.ended == nil, !book.orders.contains(where: { $0.side == .sell }), let filters = bot.filters,
            let moved = GridTrail.movedUp(book.plan.parameters, price: price, tickSize: filters.tickSize)
        else { return }
        _ = try await runner.end(sell: false, reason: "the range moves up to \(moved.lowerPrice)–\(moved.upperPrice)")
        var trailed = bot.record.trailed ?? HostedBotRecord.Trailed()
        trailed.moves += 1
        trailed.cycles += book.cycles.count
        trailed.gridProfit += book.gridProfit
        bot.record.trailed = trailed
        bot.record.range = .init(lower: moved.lowerPrice, upper: moved.upperPrice)
        // A new run: its orders' client ids are not the earlier range's.
        bot.record.run += 1
        bot.record.opening = nil
        bot.record.gridFillsSeen = 0
        bot.grid = nil
        save(bot)
        logger.info("bot.grid_trailed", metadata: ["bot.id": "\(bot.id)", "range": "\(moved.lowerPrice)-\(moved.upperPrice)"])
        do {
            try await startGrid(bot, moved, filters: filters, price: price, rebuilding: false)
        } catch {
            // The bot ends with the reason; what it placed on the new range is cancelled (coins
            // its opening bought stay, as after a stop).
            var reason = "the range moved up to \(moved.lowerPrice)–\(moved.upperPrice), but the grid could not open there: \(error)"
            if let placed = bot.grid {
                do {
                    _ = try await placed.end(sell: false, reason: "could not open")
                } catch {
                    reason += "; cancelling what it placed failed (\(error)): look at its orders"
                }
            }
            bot.state = "error"
            bot.record.running = false
            bot.record.reason = reason
        }
        save(bot)
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
