import Foundation
import Hummingbird

/// The dashboard's languages. Every text a page shows comes from the catalog of its language
/// (`Catalog.en`, `Catalog.ko`); a test checks both have the same keys and placeholders.
enum Language: String, CaseIterable, Sendable {
    case en, ko

    /// The language's own name, for the switcher.
    var name: String {
        switch self {
        case .en: "English"
        case .ko: "한국어"
        }
    }

    var catalog: [String: String] {
        switch self {
        case .en: Catalog.en
        case .ko: Catalog.ko
        }
    }

    /// The first language of `Accept-Language` (by quality) that the dashboard speaks.
    static func preferred(_ header: String?) -> Language? {
        guard let header else { return nil }
        var choices: [(language: Language, quality: Double, order: Int)] = []
        for (order, part) in header.split(separator: ",").prefix(20).enumerated() {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = fields.first, let primary = tag.split(separator: "-").first.map(String.init), let language = Language(rawValue: primary) else { continue }
            let quality = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if quality > 0 { choices.append((language, quality, order)) }
        }
        return choices.sorted { $0.quality != $1.quality ? $0.quality > $1.quality : $0.order < $1.order }.first?.language
    }
}

/// The language of the request being answered, set by `LanguageMiddleware` for the task that
/// renders its page.
struct Localizer: Sendable {
    let language: Language
    @TaskLocal static var current = Localizer(language: .en)

    /// The text of `key`, with `{name}` placeholders filled from `values` (already plain text:
    /// pages escape the result like any other text).
    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        var text = language.catalog[key] ?? Catalog.en[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }
}

/// The current language's text for `key` (see `Localizer.text`).
func t(_ key: String, _ values: [String: String] = [:]) -> String {
    Localizer.current.text(key, values)
}

/// Chooses the language of each request: the signed-in user's choice, else the `ctp_lang`
/// cookie, else `Accept-Language`, else English; the page and `Content-Language` say which.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let cookie = "ctp_lang"

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let language =
            context.user?.language.flatMap(Language.init(rawValue:)) ?? request.cookies[Self.cookie].flatMap { Language(rawValue: $0.value) }
            ?? Language.preferred(request.headers[.acceptLanguage]) ?? .en
        var response = try await Localizer.$current.withValue(Localizer(language: language)) { try await next(request, context) }
        response.headers[.contentLanguage] = language.rawValue
        return response
    }
}
