import Foundation

/// Pages for requests that lead nowhere.
enum ErrorPages {
    static func notFound() -> String {
        Layout.page(title: "Not found", active: "", viewer: nil, freshness: nil, content: "<h1>Not found</h1><p>There is nothing here. <a href=\"/\">Back to the dashboard</a>.</p>")
    }
}
