import Common
import Foundation

/// Carries out one grid's ``GridBook`` on an exchange: the opening purchase and orders, each
/// filled order's opposite, and after a restart the book rebuilt by asking the exchange for every
/// cell's orders by their client ids (``GridOrderID``). It decides nothing itself.
actor GridRunner {
    /// What the grid's start leaves behind to be stored with the bot: with the plan, all a
    /// restarted worker needs to rebuild the same book.
    struct Opening: Sendable, Equatable, Codable {
        let price: Decimal
        let buyPrice: Decimal
        let feePerUnit: Decimal
    }

    let client: any ExchangeClient
    let user: Int64
    let grid: Int64
    let plan: GridPlan
    let filters: SymbolFilters
    /// The fee of the opening market purchase, to buy enough that the sells have their coins
    /// when the exchange takes its fee in the coin bought.
    let takerFee: Decimal
    private(set) var book: GridBook?
    /// The fills the last ``rebuild(from:)`` found on the exchange, every one since the opening.
    private(set) var replayed: [GridFill] = []

    init(client: any ExchangeClient, user: Int64, grid: Int64, plan: GridPlan, filters: SymbolFilters, takerFee: Decimal) {
        self.client = client
        self.user = user
        self.grid = grid
        self.plan = plan
        self.filters = filters
        self.takerFee = takerFee
    }

    var symbol: String { plan.parameters.symbol }

    func clientOrderID(_ order: GridOrder) -> String {
        GridOrderID.make(user: user, symbol: symbol, grid: grid, cell: order.cell, side: order.side, sequence: order.sequence)
    }

    /// Opens the grid at `price`: buys at market what the opening sells need (their fee
    /// included), then places every cell's order.
    func open(price: Decimal) async throws(ExchangeError) -> Opening {
        let needed = GridBook.openingPurchase(plan: plan, price: price)
        var opening = Opening(price: price, buyPrice: price, feePerUnit: 0)
        if needed > 0 {
            let gross = SymbolFilters.ceil(needed / (1 - takerFee), step: filters.stepSize)
            let id = GridOrderID.opening(user: user, symbol: symbol, grid: grid)
            let report = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .market(quantity: gross), clientOrderID: id))
            let fill = try await OrderFill.of(report, client: client, filters: filters)
            opening = Opening(price: price, buyPrice: fill.price, feePerUnit: fill.quantity > 0 ? fill.feeQuote / fill.quantity : 0)
        }
        let book = GridBook(plan: plan, openingPrice: price, openingBuy: (opening.buyPrice, opening.feePerUnit))
        self.book = book
        for order in book.orders { try await place(order) }
        return opening
    }

    /// Looks at every resting order; each that filled moves its cell on, and the next order goes
    /// out. Returns the fills it found.
    @discardableResult
    func sync() async throws(ExchangeError) -> [GridFill] {
        guard var book else { return [] }
        var found: [GridFill] = []
        // One look at the symbol's open orders; only a cell whose order is no longer among them
        // (filled, or never placed) is asked about by its id: a grid of 20 levels costs the
        // weight of one call, not of twenty.
        let open = Set(try await client.openOrders(symbol: symbol).map(\.clientOrderID))
        for order in book.orders where !open.contains(clientOrderID(order)) {
            let (current, onExchange, fills) = try await advance(order, in: &book)
            found += fills
            // Not on the exchange: the opposite of a fill, or an order whose sending failed.
            if !onExchange { try await place(current) }
        }
        self.book = book
        return found
    }

    /// After a restart: the book of the opening, every cell walked forward through the orders the
    /// exchange filled, the missing orders placed and the stale ones cancelled.
    @discardableResult
    func rebuild(from opening: Opening) async throws(ExchangeError) -> GridRebuild {
        var book = GridBook(plan: plan, openingPrice: opening.price, openingBuy: (opening.buyPrice, opening.feePerUnit))
        var fills: [GridFill] = []
        for order in book.orders { fills += try await advance(order, in: &book).fills }
        // This grid's orders only: an id read back must be the one this grid would write (grid 1's
        // ids are a prefix of grid 10's).
        let open = try await client.openOrders(symbol: symbol).compactMap { report -> GridOrder? in
            guard let id = GridOrderID.parse(report.clientOrderID),
                report.clientOrderID == clientOrderID(GridOrder(cell: id.cell, sequence: id.sequence, side: id.side, price: 0, quantity: 0))
            else { return nil }
            return GridOrder(cell: id.cell, sequence: id.sequence, side: id.side, price: report.price, quantity: report.origQty - report.executedQty)
        }
        let rebuilt = GridRebuild.rebuild(
            plan: plan, openingPrice: opening.price, openingBuy: (opening.buyPrice, opening.feePerUnit), fills: fills, open: open
        )
        replayed = fills
        for stale in rebuilt.cancel { _ = try await client.cancel(symbol: symbol, clientOrderID: clientOrderID(stale)) }
        for missing in rebuilt.place { try await place(missing) }
        self.book = rebuilt.book
        return rebuilt
    }

    /// Ends the grid (its owner stops it, or its stop-loss or take-profit): the fills since the
    /// last look are taken first, then every resting order is cancelled and, when `sell`, the
    /// coins the grid holds are sold at market. Returns the sale's PnL against what the coins
    /// cost, fees included, when there was a sale.
    @discardableResult
    func end(sell: Bool, reason: String = "stopped") async throws(ExchangeError) -> Decimal? {
        try await sync()
        guard var book else { return nil }
        let before = book
        let (cancel, held) = book.end(reason: reason)
        self.book = book
        for order in cancel { try await DCARunner.cancel(client, symbol: symbol, clientOrderID: clientOrderID(order)) }
        let quantity = filters.roundQuantity(held)
        guard sell, quantity > 0 else { return nil }
        let id = ClientOrderID.make(user: user, symbol: symbol, key: grid, purpose: "GX")
        let report = try await client.place(NewOrder(symbol: symbol, side: .sell, kind: .market(quantity: quantity), clientOrderID: id))
        let fill = try await OrderFill.of(report, client: client, filters: filters)
        return before.unrealisedPnL(at: fill.price) - fill.feeQuote
    }

    /// Walks one cell forward through the orders the exchange filled (a cell may have moved more
    /// than once since the last look), applying each fill to the book. Returns the cell's order
    /// now, whether the exchange has it, and the fills found.
    private func advance(_ order: GridOrder, in book: inout GridBook) async throws(ExchangeError) -> (GridOrder, onExchange: Bool, fills: [GridFill]) {
        var current = order
        var fills: [GridFill] = []
        var report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(current))
        while let filled = report, filled.status == OrderStatus.filled.rawValue {
            let fill = try await gridFill(current, filled)
            fills.append(fill)
            guard let next = book.apply(fill) else { break }
            current = next
            report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(current))
        }
        return (current, report != nil, fills)
    }

    private func place(_ order: GridOrder) async throws(ExchangeError) {
        let id = clientOrderID(order)
        _ = try await client.place(NewOrder(
            symbol: symbol, side: order.side, kind: .limit(quantity: order.quantity, price: order.price, timeInForce: "GTC"), clientOrderID: id
        ))
    }

    /// A filled grid order as the book takes it: its average price, the fee valued in the quote
    /// asset, and for a buy the coins left after a fee taken in them, on the step.
    private func gridFill(_ order: GridOrder, _ report: OrderReport) async throws(ExchangeError) -> GridFill {
        let fill = try await OrderFill.of(report, client: client, filters: filters)
        let quantity = order.side == .buy ? filters.roundQuantity(fill.quantity - fill.baseFee) : fill.quantity
        return GridFill(cell: order.cell, sequence: order.sequence, side: order.side, price: fill.price, quantity: quantity, feeQuote: fill.feeQuote)
    }
}
