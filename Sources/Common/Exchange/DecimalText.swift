import Foundation

/// Decimal amounts as text, the way Binance writes them: plain digits, no exponent, a fixed
/// number of fractional digits ("0.00100000"). Money never goes through `Double`.
public enum DecimalText {
    /// Parses "0.001", "1e-3" is refused: amounts come as plain decimals.
    public static func parse(_ text: String) -> Decimal? {
        // Only ASCII passes below, so its bytes are its characters.
        guard !text.isEmpty, text.utf8.count <= 40 else { return nil }
        if let fast = FastDecimal.parse(text) { return fast }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
            text.filter({ $0 == "." }).count <= 1
        else { return nil }
        return Decimal(string: text, locale: posix)
    }

    /// Made once: building a `Locale` per amount cost more than parsing it.
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Rounds half-even to `places` fractional digits and pads with zeros.
    public static func format(_ value: Decimal, places: Int = 8) -> String {
        FastDecimal.format(value, places: places) ?? foundationFormat(value, places: places)
    }

    /// The same through `NSDecimalNumber` (~25 times slower): for significands past 64 bits,
    /// and the reference the tests hold ``FastDecimal`` to.
    static func foundationFormat(_ value: Decimal, places: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .bankers)
        var text = NSDecimalNumber(decimal: rounded).stringValue
        if text.contains("e") || text.contains("E") { text = "\(rounded)" }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { parts.append("") }
        let fraction = String(parts[1].prefix(places)) + String(repeating: "0", count: max(0, places - parts[1].count))
        let body = places > 0 ? "\(parts[0]).\(fraction)" : parts[0]
        return (negative && rounded != 0 ? "-" : "") + body
    }

    /// The shortest plain form ("0.001", "43210.5"), for amounts sent in requests.
    public static func plain(_ value: Decimal) -> String {
        var text = format(value, places: 16)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
