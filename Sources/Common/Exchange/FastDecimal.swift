import Foundation

/// Decimal text without Foundation's scanner and `NSDecimalNumber`: a plain `-?digits(.digits)`
/// of up to 19 significant digits, and a value whose significand fits 64 bits, are converted
/// with integer arithmetic (tens of nanoseconds instead of several microseconds: a page of 100
/// fills parses and formats 500 amounts). Anything else returns nil, and `DecimalText` falls back
/// to Foundation; a test compares both on many values.
enum FastDecimal {
    /// The value of `text`, with the same value and the same representation (trailing
    /// fractional zeros dropped) as `Decimal(string:locale:)`; nil when this path cannot say.
    static func parse(_ text: String) -> Decimal? {
        var mantissa: UInt64 = 0
        var significant = 0
        var scale = 0
        var negative = false
        var seenDigit = false
        var seenPoint = false
        var pendingZeros = 0  // fractional zeros not yet known to be followed by a digit
        var first = true
        for byte in text.utf8 {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first:
                negative = true
            case UInt8(ascii: "."):
                guard seenDigit, !seenPoint else { return nil }
                seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                seenDigit = true
                let digit = UInt64(byte - UInt8(ascii: "0"))
                if seenPoint && digit == 0 {
                    pendingZeros += 1
                    continue
                }
                // Zeros before this digit (fractional ones held back) now count.
                for _ in 0..<pendingZeros {
                    guard mantissa <= UInt64.max / 10 else { return nil }
                    mantissa *= 10
                    if significant > 0 { significant += 1 }
                }
                if seenPoint { scale += pendingZeros + 1 }
                pendingZeros = 0
                guard mantissa <= (UInt64.max - digit) / 10 else { return nil }
                mantissa = mantissa * 10 + digit
                if mantissa > 0 { significant += 1 }
                guard significant <= 19 else { return nil }
            default:
                return nil
            }
        }
        guard seenDigit else { return nil }
        // Foundation keeps a zero's fractional places ("0.00" has exponent -2) but drops them
        // from any other value ("1.50" is 15e-1).
        if mantissa == 0 {
            // (and "-0.00" as plain zero, exponent 0)
            let places = negative ? 0 : scale + pendingZeros
            return places < zeros.count ? zeros[places] : nil
        }
        return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: Decimal(mantissa))
    }

    /// Zero with 0…40 fractional places, as Foundation reads "0", "0.0", "0.00", … (the
    /// initialisers normalise a zero's exponent away).
    private static let zeros: [Decimal] = (0...40).map { places in
        Decimal(string: places == 0 ? "0" : "0." + String(repeating: "0", count: places), locale: Locale(identifier: "en_US_POSIX")) ?? 0
    }

    /// `value` rounded half-even to `places` fractional digits and padded with zeros; nil when
    /// its significand does not fit 64 bits (or it is NaN).
    static func format(_ value: Decimal, places: Int) -> String? {
        guard !value.isNaN, places >= 0, places <= 38 else { return nil }
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .bankers)
        let significand = rounded.significand
        let mantissa = NSDecimalNumber(decimal: significand).uint64Value
        // The round trip proves the significand fit (a larger one comes back changed).
        guard Decimal(mantissa) == significand else { return nil }
        let exponent = rounded.exponent
        guard exponent >= -places, exponent <= 40 else { return nil }
        // The digits of the mantissa, least significant first.
        var reversed: [UInt8] = []
        reversed.reserveCapacity(20)
        var rest = mantissa
        repeat {
            reversed.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        let fractionDigits = max(0, -exponent)
        let integerZeros = max(0, exponent)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reversed.count + integerZeros + places + 3)
        if rounded.sign == .minus && mantissa != 0 { bytes.append(UInt8(ascii: "-")) }
        // The integer part: the digits above the fractional ones, then the exponent's zeros.
        if reversed.count > fractionDigits {
            for index in stride(from: reversed.count - 1, through: fractionDigits, by: -1) { bytes.append(reversed[index]) }
        } else {
            bytes.append(UInt8(ascii: "0"))
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: integerZeros))
        if places > 0 {
            bytes.append(UInt8(ascii: "."))
            for index in stride(from: fractionDigits - 1, through: 0, by: -1) {
                bytes.append(index < reversed.count ? reversed[index] : UInt8(ascii: "0"))
            }
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: places - fractionDigits))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
