import Foundation

/// Pages for requests that lead nowhere.
enum ErrorPages {
    static func notFound() -> String {
        Layout.page(
            title: t("notfound.title"), active: "", viewer: nil, freshness: nil,
            content: "<h1>\(Layout.escape(t("notfound.title")))</h1><p>\(Layout.escape(t("notfound.text"))) <a href=\"/\">\(Layout.escape(t("notfound.back")))</a></p>"
        )
    }
}
