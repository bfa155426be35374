import Foundation

/// A grid brought back after a restart from what the exchange says: its fills (each naming its
/// cell and sequence through its client id) and its open orders.
public struct GridRebuild: Sendable, Equatable {
    /// The book with every known fill applied.
    public let book: GridBook
    /// Orders the book wants that are not open on the exchange: a cell whose order filled while
    /// the worker was down gets its opposite here.
    public let place: [GridOrder]
    /// Open orders of this grid the book has moved past (a cell never has two).
    public let cancel: [GridOrder]

    /// Replays the fills in each cell's order on the book of the opening, then compares the
    /// orders it wants with those open: equal ones stay, missing ones are placed, the rest go.
    public static func rebuild(
        plan: GridPlan, openingPrice: Decimal, openingBuy: (price: Decimal, feePerUnit: Decimal)?, fills: [GridFill], open: [GridOrder]
    ) -> GridRebuild {
        var book = GridBook(plan: plan, openingPrice: openingPrice, openingBuy: openingBuy)
        for fill in fills.sorted(by: { ($0.cell, $0.sequence) < ($1.cell, $1.sequence) }) {
            _ = book.apply(fill)
        }
        let wanted = book.orders
        let key = { (order: GridOrder) in "\(order.cell)/\(order.sequence)/\(order.side.rawValue)" }
        let openKeys = Set(open.map(key))
        let wantedKeys = Set(wanted.map(key))
        return GridRebuild(
            book: book,
            place: wanted.filter { !openKeys.contains(key($0)) },
            cancel: open.filter { !wantedKeys.contains(key($0)) }
        )
    }
}
