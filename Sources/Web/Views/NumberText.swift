import Common
import Foundation

/// Decimal digits without Foundation's formatters.
enum NumberText {
    /// Rounded half-even to `places` and padded with zeros: "43210.50".
    static func fixed(_ value: Decimal, places: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .bankers)
        var text = digits(rounded)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var whole = Substring(text)
        var fraction = Substring("")
        if let dot = text.firstIndex(of: ".") {
            whole = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        var out = negative && !rounded.isZero ? "-" : ""
        out += whole.isEmpty ? "0" : whole
        if places > 0 {
            out += "."
            out += fraction.prefix(places)
            if fraction.count < places { out += String(repeating: "0", count: places - fraction.count) }
        }
        return out
    }

    /// The stored value as it is, trailing zeros dropped: "0.0015", "43210".
    static func trimmed(_ value: Decimal) -> String {
        var text = digits(value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Plain digits: `Decimal`'s own description never uses an exponent on Linux, but a value far
    /// outside any price is written through the slower path rather than shown as "1e-30".
    private static func digits(_ value: Decimal) -> String {
        let text = value.description
        if text.contains("e") || text.contains("E") { return DecimalText.plain(value) }
        return text
    }
}
