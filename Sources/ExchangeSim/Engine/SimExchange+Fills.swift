import Common
import Foundation

/// Balances: what an order holds, and what a trade moves.
///
/// What an order holds: a SELL of any type holds its base quantity from placement (a stop sell
/// too, as on Binance, so the quantity is there when it triggers); a BUY with a limit price
/// (LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT) holds price × quantity of quote. A
/// STOP_LOSS / TAKE_PROFIT BUY has no price to hold at: it holds nothing, placement checks that
/// stopPrice × quantity is free, and at its trigger it expires if the quote it would spend is not free.
extension SimExchange {
    static func checkFunds(_ account: SimAccount, _ request: OrderRequest, plan: Plan, filters: SymbolFilters) throws(SimError) {
        let quote = account.balances[filters.quoteAsset]?.free ?? 0
        let base = account.balances[filters.baseAsset]?.free ?? 0
        switch (request.side, request.type) {
        case (.buy, "MARKET"):
            if plan.takes.reduce(Decimal(0), { $0 + $1.price * $1.quantity }) > quote { throw .insufficientBalance }
        case (.buy, "STOP_LOSS"), (.buy, "TAKE_PROFIT"):
            if (request.stopPrice ?? 0) * plan.quantity > quote { throw .insufficientBalance }
        case (.buy, _):
            if (request.price ?? 0) * plan.quantity > quote { throw .insufficientBalance }
        case (.sell, _):
            if plan.quantity > base { throw .insufficientBalance }
        }
    }

    /// What an order would hold: (asset, amount), or nil for one that holds nothing.
    static func holding(_ order: SimOrder, filters: SymbolFilters) -> (String, Decimal)? {
        if order.side == .sell { return (filters.baseAsset, order.origQty - order.executedQty) }
        if order.executesAsMarket { return nil }
        return (filters.quoteAsset, order.price * (order.origQty - order.executedQty))
    }

    /// An order holds its whole amount until it fills, is cancelled or expires.
    static func lock(_ account: inout SimAccount, _ order: inout SimOrder, filters: SymbolFilters) {
        guard let (asset, amount) = holding(order, filters: filters), amount > 0 else { return }
        account.balances[asset, default: Balance()].free -= amount
        account.balances[asset, default: Balance()].locked += amount
        order.locked += amount
    }

    /// Releases what an order still holds.
    static func unlock(_ account: inout SimAccount, _ order: inout SimOrder, filters: SymbolFilters) {
        guard order.locked > 0 else { return }
        let asset = order.side == .buy ? filters.quoteAsset : filters.baseAsset
        account.balances[asset, default: Balance()].locked -= order.locked
        account.balances[asset, default: Balance()].free += order.locked
        order.locked = 0
    }

    /// One trade: balances move, commission is taken from what is received (maker or taker rate).
    /// An order that holds funds pays from them; one that holds nothing (MARKET, a triggered
    /// STOP_LOSS/TAKE_PROFIT BUY) pays from free.
    static func fill(
        _ account: inout SimAccount, _ order: inout SimOrder, price: Decimal, quantity: Decimal, maker: Bool, filters: SymbolFilters,
        tradeID: inout Int64, time: Int64
    ) -> SimFill {
        let rate = maker ? makerCommissionRate : takerCommissionRate
        let quoteAmount = price * quantity
        let commission: Decimal
        let commissionAsset: String
        if order.side == .buy {
            commission = quantity * rate
            commissionAsset = filters.baseAsset
            if order.locked <= 0 {
                account.balances[filters.quoteAsset, default: Balance()].free -= quoteAmount
            } else {
                let held = min(order.price * quantity, order.locked)
                account.balances[filters.quoteAsset, default: Balance()].locked -= held
                account.balances[filters.quoteAsset, default: Balance()].free += held - quoteAmount
                order.locked -= held
            }
            account.balances[filters.baseAsset, default: Balance()].free += quantity - commission
        } else {
            commission = quoteAmount * rate
            commissionAsset = filters.quoteAsset
            if order.locked <= 0 {
                account.balances[filters.baseAsset, default: Balance()].free -= quantity
            } else {
                account.balances[filters.baseAsset, default: Balance()].locked -= quantity
                order.locked -= quantity
            }
            account.balances[filters.quoteAsset, default: Balance()].free += quoteAmount - commission
        }
        order.executedQty += quantity
        order.cumulativeQuoteQty += quoteAmount
        order.updateTime = time
        order.status = order.executedQty >= order.origQty ? "FILLED" : "PARTIALLY_FILLED"
        if !order.isOpen { unlock(&account, &order, filters: filters) }
        defer { tradeID += 1 }
        return SimFill(
            tradeID: tradeID, orderID: order.orderID, symbol: order.symbol, price: price, qty: quantity, quoteQty: quoteAmount,
            commission: commission, commissionAsset: commissionAsset, time: time, isBuyer: order.side == .buy, isMaker: maker)
    }

    /// After the taking fills: a MARKET order is done; an IOC/FOK remainder expires; a GTC
    /// remainder rests.
    static func settle(_ account: inout SimAccount, _ order: inout SimOrder, plan: Plan, filters: SymbolFilters) {
        if order.type == "MARKET" {
            order.status = "FILLED"
            return
        }
        if order.executedQty < order.origQty, plan.expiresUnfilled {
            order.status = "EXPIRED"
            unlock(&account, &order, filters: filters)
        }
    }
}
