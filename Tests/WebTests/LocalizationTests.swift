import Foundation
import Testing

@testable import Web

/// The dashboard's two catalogs say the same things, and a page's language is chosen and
/// filled in as the reader asks.
@Suite struct LocalizationTests {
    /// The `{name}` placeholders of a text.
    static func placeholders(_ text: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.insert(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    @Test func englishAndKoreanHaveExactlyTheSameKeys() {
        #expect(Catalog.en.count > 300)
        #expect(Set(Catalog.en.keys).subtracting(Catalog.ko.keys).sorted() == [], "missing in Korean")
        #expect(Set(Catalog.ko.keys).subtracting(Catalog.en.keys).sorted() == [], "missing in English")
    }

    @Test func everyEnglishPlaceholderButDetailIsInItsKoreanTextAndNoOther() {
        for (key, english) in Catalog.en.sorted(by: { $0.key < $1.key }) {
            guard let korean = Catalog.ko[key] else { continue }
            #expect(!korean.isEmpty, "\(key)")
            // A translation may leave out {detail}, an error's English detail (the Korean says it
            // in full, as `error.no_key` does), but no other placeholder.
            #expect(Self.placeholders(english).subtracting(["{detail}"]).isSubset(of: Self.placeholders(korean)), "\(key): \(english) / \(korean)")
            #expect(Self.placeholders(korean).isSubset(of: Self.placeholders(english)), "\(key): \(english) / \(korean)")
        }
    }

    @Test func aTextIsFilledInItsLanguageAndFallsBackToEnglishThenTheKey() {
        let ko = Localizer(language: .ko)
        #expect(ko.text("layout.signed_in_as", ["name": "민수"]) == "민수 님으로 로그인됨")
        #expect(Localizer(language: .en).text("layout.signed_in_as", ["name": "Ann"]) == "Signed in as Ann")
        #expect(ko.text("no.such.key") == "no.such.key")
    }

    @Test func theLanguageIsTheBestSpokenOneOfAcceptLanguage() {
        #expect(Language.preferred("ko-KR,ko;q=0.9,en;q=0.8") == .ko)
        #expect(Language.preferred("fr-FR, en;q=0.5, ko;q=0.4") == .en)
        #expect(Language.preferred("en;q=0.5, ko") == .ko)
        #expect(Language.preferred("ko;q=0, fr") == nil)
        #expect(Language.preferred(nil) == nil)
    }
}
