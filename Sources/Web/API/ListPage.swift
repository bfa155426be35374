import Common
import Foundation
import Hummingbird

/// `?limit=` (1…500, default 100) and `?before=` (ISO-8601) of the list endpoints.
struct ListPage {
    let limit: Int
    let before: Date?

    init(_ request: Request) throws(APIError) {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else { throw APIError.invalid("limit must be a whole number from 1 to 500.") }
            limit = value
        } else {
            limit = 100
        }
        if let text = query.get("before") {
            guard let date = Timestamp.date(text) else { throw APIError.invalid("before must be an ISO-8601 UTC time such as 2026-11-25T12:00:00Z.") }
            before = date
        } else {
            before = nil
        }
    }
}
