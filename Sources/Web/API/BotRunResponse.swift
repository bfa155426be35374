import Common
import Foundation

/// What a grid or DCA bot the worker runs is doing (`run` in `/api/v1/bots…`), as the worker
/// last reported it (``BotRunStatus``): amounts as decimal strings in the symbol's quote asset,
/// times ISO-8601. A paper bot's figures are its virtual account's, marked by the bot's `mode`.
struct BotRunResponse: Encodable, Sendable {
    struct Order: Encodable, Sendable {
        let side: String
        let price: String
        let quantity: String
        let level: Int?
        let role: String?
    }

    struct Fill: Encodable, Sendable {
        let time: Date
        let side: String
        let price: String
        let quantity: String
        let feeQuote: String
        let level: Int?
        let role: String?
    }

    struct Deal: Encodable, Sendable {
        let number: Int
        let phase: String
        @Nullable var entryPrice: String?
        @Nullable var averagePrice: String?
        let safetyOrdersFilled: Int
        let safetyOrders: Int
        @Nullable var takeProfitPrice: String?
        let heldQuantity: String
        @Nullable var pnl: String?
        var closeReason: String?
    }

    let mode: String
    let symbol: String
    @Nullable var price: String?
    let cycles: Int
    @Nullable var gridProfit: String?
    /// A grid's level prices now (a trailing grid's after its moves up); absent for DCA.
    var levels: [String]?
    /// How many times a trailing grid's range moved up; absent for DCA.
    var rangeMoves: Int?
    let realisedPnl: String
    let todayPnl: String
    @Nullable var unrealisedPnl: String?
    let heldQuantity: String
    let allocationUsed: String
    let openOrders: [Order]
    let fills: [Fill]
    let deals: [Deal]
    /// A paper bot's virtual balances now; empty for a live bot.
    let paperBalancesNow: [BotItemResponse.Balance]
    let reportedAt: Date
}

extension BotRunResponse {
    init(_ status: BotRunStatus) {
        let f: (Decimal) -> String = { DecimalText.format($0) }
        self.init(
            mode: status.mode, symbol: status.symbol, price: status.price.map(f), cycles: status.cycles, gridProfit: status.gridProfit.map(f),
            levels: status.levels?.map(f), rangeMoves: status.rangeMoves, realisedPnl: f(status.realisedPnL), todayPnl: f(status.todayPnL), unrealisedPnl: status.unrealisedPnL.map(f), heldQuantity: f(status.held),
            allocationUsed: f(status.allocationUsed),
            openOrders: status.openOrders.map { Order(side: $0.side, price: f($0.price), quantity: f($0.quantity), level: $0.level, role: $0.role) },
            fills: status.fills.map {
                Fill(
                    time: Date(timeIntervalSince1970: TimeInterval($0.time) / 1000), side: $0.side, price: f($0.price), quantity: f($0.quantity),
                    feeQuote: f($0.feeQuote), level: $0.level, role: $0.role)
            },
            deals: status.deals.map {
                Deal(
                    number: $0.number, phase: $0.phase, entryPrice: $0.entry.map(f), averagePrice: $0.average.map(f), safetyOrdersFilled: $0.safetyFilled,
                    safetyOrders: $0.safetyOrders, takeProfitPrice: $0.takeProfit.map(f), heldQuantity: f($0.held), pnl: $0.pnl.map(f),
                    closeReason: $0.closeReason)
            },
            paperBalancesNow: status.balances.sorted { $0.key < $1.key }.map { BotItemResponse.Balance(asset: $0.key, amount: f($0.value)) },
            reportedAt: Date(timeIntervalSince1970: TimeInterval(status.updatedAt) / 1000))
    }
}
