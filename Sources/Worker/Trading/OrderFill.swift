import Common
import Foundation

/// What one filled order brought, for the grid and DCA bots: its average price and quantity, its
/// fee valued in the quote asset, and the part of the fee the exchange took from the coins bought
/// (they are not there to sell). The fees come from the order's trades: an order looked up by id
/// carries no fills.
struct OrderFill: Sendable, Equatable {
    let price: Decimal
    let quantity: Decimal
    let feeQuote: Decimal
    let baseFee: Decimal

    static func of(_ report: OrderReport, client: any ExchangeClient, filters: SymbolFilters) async throws(ExchangeError) -> OrderFill {
        let price = report.executedQty > 0 ? report.cumulativeQuoteQty / report.executedQty : report.price
        var trades = report.fills.map { ($0.commission, $0.commissionAsset) }
        if trades.isEmpty {
            trades = try await client.myTrades(symbol: report.symbol, orderID: report.orderID).map { ($0.commission, $0.commissionAsset) }
        }
        var feeQuote: Decimal = 0
        var baseFee: Decimal = 0
        for (commission, asset) in trades {
            if asset == filters.quoteAsset { feeQuote += commission }
            if asset == filters.baseAsset {
                baseFee += commission
                feeQuote += commission * price
            }
        }
        return OrderFill(price: price, quantity: report.executedQty, feeQuote: feeQuote, baseFee: baseFee)
    }
}
