import Common
import Foundation

/// How the PostgreSQL stores write and read times and amounts, so they answer exactly as the
/// SQLite stores do.
///
/// Times: `timestamptz`, written floored to the millisecond (central.sqlite's precision,
/// ``Common/Timestamp``) and read rounded to the millisecond (PostgreSQL keeps microseconds and
/// the conversion from a `Double` can be one off). Amounts: `numeric`, written as central.sqlite
/// writes them (``Common/DecimalText/format(_:places:)``: 8 decimals, half-even) and read as text
/// (`$1::numeric`, `column::text`), so no digit passes through a binary conversion. Limits: SQLite
/// reads a negative one as none, PostgreSQL refuses it, so a negative one is NULL.
enum PostgresValues {
    static func time(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    static func readTime(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func amount(_ value: Decimal) -> String { DecimalText.format(value) }

    static func limit(_ value: Int) -> Int64? { value < 0 ? nil : Int64(value) }

    static func readAmount(_ text: String) throws -> Decimal {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw PostgresFailure(sqlState: nil, description: "PostgreSQL returned \"\(text)\" where an amount belongs")
        }
        return value
    }
}
