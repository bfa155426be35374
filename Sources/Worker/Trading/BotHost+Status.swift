import Common
import Foundation

extension BotHost {
    /// One step of a running bot at `price`.
    func step(_ bot: Bot, price: Decimal, now: Date) async throws {
        if let grid = bot.grid { try await stepGrid(bot, grid, price: price, now: now) }
        if let dca = bot.dca, case .dca(let parameters) = bot.definition.plan {
            try await stepDCA(bot, dca, parameters, price: price, now: now)
        }
        if let signal = bot.signal { try await syncSignal(bot, signal) }
    }

    /// The bot as its owner sees it: every figure from its book, its deals, its record and, on
    /// paper, its virtual account.
    func status(of bot: Bot, now: Date) async -> BotRunStatus {
        var status = BotRunStatus(
            botID: bot.id, state: bot.state, reason: bot.state == "running" ? bot.error : (bot.record.reason ?? bot.error),
            mode: bot.definition.mode.rawValue, symbol: bot.symbol, updatedAt: Self.ms(now))
        status.price = bot.price
        status.fills = bot.record.fills
        if let paper = bot.paper {
            status.balances = paper.account.balances.mapValues { $0.free + $0.locked }.filter { $0.value != 0 }
        }
        var realised = bot.record.realisedDeals
        if let grid = bot.grid, let book = await grid.book {
            // With the cycles of the ranges a trailing grid moved up from.
            let trailed = bot.record.trailed ?? HostedBotRecord.Trailed()
            status.cycles = trailed.cycles + book.cycles.count
            status.gridProfit = trailed.gridProfit + book.gridProfit
            realised += trailed.gridProfit + book.gridProfit
            status.levels = book.plan.levels
            status.rangeMoves = trailed.moves
            status.held = book.heldBase
            status.averageEntry = book.averageCost
            status.unrealisedPnL = bot.price.map { book.unrealisedPnL(at: $0) }
            status.openOrders = book.orders.map { order in
                BotRunStatus.Order(
                    side: order.side.rawValue, price: order.price, quantity: order.quantity, level: order.side == .buy ? order.cell : order.cell + 1,
                    role: nil)
            }
            status.allocationUsed = book.orders.reduce(0) { sum, order in
                sum + order.quantity * (order.side == .buy ? order.price : book.plan.levels[order.cell])
            }
        }
        if let dca = bot.dca {
            let deals = await dca.deals
            var unrealised: Decimal = 0
            var heldCost: Decimal = 0
            var open: [BotRunStatus.Deal] = []
            for number in bot.record.openDeals {
                guard let deal = deals[number] else { continue }
                open.append(Self.dealStatus(number, deal, price: bot.price, closeReason: nil, pnl: nil))
                status.held += deal.heldQuantity
                let average = deal.averageEntry ?? 0
                if let price = bot.price { unrealised += deal.heldQuantity * (price - average) }
                status.allocationUsed += deal.heldQuantity * average
                heldCost += deal.heldQuantity * average
                guard deal.exiting == nil else { continue }
                for order in deal.safetyOrders.dropFirst(deal.safetyFilled) {
                    status.openOrders.append(.init(side: "BUY", price: order.price, quantity: order.quantity, level: nil, role: "safety \(order.index)"))
                    status.allocationUsed += order.price * order.quantity
                }
                if deal.plan.parameters.trailingPct == nil, let take = deal.takeProfitPrice {
                    status.openOrders.append(.init(side: "SELL", price: take, quantity: deal.filters.roundQuantity(deal.heldQuantity), level: nil, role: "take-profit"))
                }
            }
            status.unrealisedPnL = bot.price == nil ? nil : unrealised
            status.averageEntry = status.held > 0 ? heldCost / status.held : nil
            status.deals = open + bot.record.closedDeals.reversed()
        }
        if let signal = bot.signal {
            let book = await signal.book
            signalStatus(book, price: bot.price, into: &status)
            realised += book.realised
        }
        status.realisedPnL = realised
        status.value = status.unrealisedPnL.map { bot.definition.allocationUsdt + realised + $0 }
        let day = Self.ms(now) / 86_400_000
        if bot.record.day != day {
            bot.record.day = day
            bot.record.realisedAtDayStart = realised
            if bot.state == "running" { save(bot) }
        }
        status.todayPnL = realised - bot.record.realisedAtDayStart
        return status
    }
}
