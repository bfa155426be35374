import Foundation
import Testing

@testable import Common

/// `DecimalText`'s integer fast path gives what Foundation gives, value and representation,
/// for every form the database and the exchange write, and leaves the rest to Foundation.
@Suite struct FastDecimalTests {
    static let posix = Locale(identifier: "en_US_POSIX")

    /// A fixed sequence (SplitMix64), so a failure names the same inputs every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func samples(count: Int) -> [String] {
        var random = Seeded(state: 15)
        var texts = [
            "0", "-0", "0.00", "-0.00", "1.", "00012.3400", "0.00000001", "43210.12345678", "100", "1000.000", "-0.000000005", "0.000000015",
            "0.000000025", "18446744073709551615", "18446744073709551616", "1234567890123456789", "12345678901234567890", "0.1234567890123456789",
            "99999999.999999995", "7.0000000050", "-5",
        ]
        for _ in 0..<count {
            var text = Bool.random(using: &random) ? "-" : ""
            let integer = Int.random(in: 0...12, using: &random)
            let fraction = Int.random(in: 0...12, using: &random)
            text += integer == 0 ? "0" : String((0..<integer).map { _ in "0123456789".randomElement(using: &random)! })
            if fraction > 0 { text += "." + String((0..<fraction).map { _ in "0123456789".randomElement(using: &random)! }) }
            texts.append(text)
        }
        return texts
    }

    @Test func parsingMatchesFoundation() {
        var fast = 0
        for text in Self.samples(count: 20_000) {
            let reference = Decimal(string: text, locale: Self.posix)
            let parsed = DecimalText.parse(text)
            #expect(parsed == reference, "\(text)")
            if let quick = FastDecimal.parse(text) {
                fast += 1
                #expect(quick.exponent == reference?.exponent && quick.description == reference?.description, "\(text)")
            }
        }
        // The fast path is the one taken (not a test that passes by always falling back).
        #expect(fast > 18_000)
    }

    @Test func formattingMatchesFoundation() {
        var fast = 0
        for text in Self.samples(count: 5_000) {
            let value = Decimal(string: text, locale: Self.posix)!
            for places in [0, 2, 8, 16] {
                #expect(DecimalText.format(value, places: places) == DecimalText.foundationFormat(value, places: places), "\(text) to \(places)")
                if FastDecimal.format(value, places: places) != nil { fast += 1 }
            }
        }
        #expect(fast > 19_000)
    }

    @Test func refusesWhatItCannotSayExactly() {
        for text in ["", "-", ".5", "1..2", "1-2", "--1", "1e-3", "12345678901234567890", " 1", "１"] {
            #expect(FastDecimal.parse(text) == nil, "\(text)")
        }
        #expect(DecimalText.parse("12345678901234567890") == Decimal(string: "12345678901234567890", locale: Self.posix))
        #expect(DecimalText.parse("1e-3") == nil)
        #expect(DecimalText.format(Decimal(string: "123456789012345678901234567890")!, places: 2) == "123456789012345678901234567890.00")
        #expect(DecimalText.format(Decimal(string: "-0.000000005")!) == "0.00000000")
        #expect(DecimalText.format(Decimal(string: "0.000000015")!) == "0.00000002")
        #expect(DecimalText.format(Decimal(string: "2.5")!, places: 0) == "2")
    }
}
