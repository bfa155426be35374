import Foundation

/// Pages for requests that lead nowhere.
enum ErrorPages {
    static func notFound() -> String {
        Layout.page(
            title: t("notfound.title"), active: "", viewer: nil, freshness: nil,
            content: AccountPages.message(heading: t("notfound.title"), text: t("notfound.text"), link: ("/", t("notfound.back")))
        )
    }

    /// A page that cannot be shown now, and why (the central database does not answer).
    static func unavailable(_ reason: String, viewer: Layout.Viewer?) -> String {
        Layout.page(
            title: t("common.unavailable"), active: "", viewer: viewer, freshness: nil,
            content: AccountPages.message(heading: t("common.unavailable"), text: reason, link: ("/", t("notfound.back")))
        )
    }
}
