import Foundation

/// Pages for requests that lead nowhere.
enum ErrorPages {
    static func notFound() -> String {
        Layout.page(
            title: t("notfound.title"), active: "", viewer: nil, freshness: nil,
            content: AccountPages.message(heading: t("notfound.title"), text: t("notfound.text"), link: ("/", t("notfound.back")))
        )
    }
}
