import Common
import Foundation

extension ListPage {
    /// `{"items":[…],"next_before"}` of the list endpoints: `next_before` is the time to ask
    /// `?before=` for the next page, `null` on the last one.
    struct Response<Item: Encodable & Sendable>: Encodable, Sendable {
        let items: [Item]
        @Nullable var nextBefore: Date?
    }

    /// The page of `rows` (read with one row more than the limit, to know whether more follow),
    /// each as its answer type; `time` is the time a row is paged by.
    func response<Row, Item: Encodable & Sendable>(_ rows: [Row], time: (Row) -> Date, item: (Row) -> Item) -> Response<Item> {
        let next = rows.count > limit ? time(rows[limit - 1]) : nil
        return Response(items: rows.prefix(limit).map(item), nextBefore: next)
    }
}
