import Common
import Foundation

/// A point of the equity curve (CONTRACT §6 "equity point"), in `GET /api/v1/equity`.
struct EquityPointResponse: Encodable, Sendable {
    let time: Date
    let totalUsdt: String

    init(time: Date, totalUSDT: Decimal) {
        self.time = time
        totalUsdt = DecimalText.format(totalUSDT)
    }
}
