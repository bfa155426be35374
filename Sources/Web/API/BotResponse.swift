import Common
import Foundation

/// `GET /api/v1/bot` and the `bot` event (CONTRACT §6): the bot's state, its process and its open
/// positions. A figure not known is `null` beside its `<field>_reason`; figures that may be old
/// (the worker is not alive) carry `stale_since`.
struct BotResponse: Encodable, Sendable {
    struct Worker: Encodable, Sendable, Equatable {
        let alive: Bool
        @Nullable var pid: Int?
        @Nullable var lastHeartbeat: Date?
        let restarts: Int
    }

    let state: String
    /// Why the state is what it is, in English; absent when there is nothing to explain.
    var stateReason: String?
    var worker: Worker
    @Nullable var openPositions: Int?
    var openPositionsReason: String?
    @Nullable var todayPnlUsdt: String?
    var todayPnlUsdtReason: String?
    var staleSince: Date?
    let positions: [PositionResponse]
}

extension BotView {
    var response: BotResponse {
        let open = positions.filter(\.isOpen)
        var answer = BotResponse(
            state: state, stateReason: stateReason,
            worker: .init(alive: alive, pid: worker?.pid.map { Int($0) }, lastHeartbeat: worker?.lastHeartbeatAt, restarts: worker?.restarts ?? 0),
            openPositions: nil, openPositionsReason: nil, todayPnlUsdt: nil, todayPnlUsdtReason: nil, staleSince: nil,
            positions: open.map(PositionResponse.init)
        )
        if state == "no_key" {
            answer.openPositionsReason = "no_key"
            answer.todayPnlUsdtReason = "no_key"
        } else if let todayPnL {
            answer.openPositions = open.count
            answer.todayPnlUsdt = todayPnL.value.map { DecimalText.format($0) }
            if todayPnL.value == nil { answer.todayPnlUsdtReason = "not_reported_yet" }
            if !alive { answer.staleSince = todayPnL.updatedAt }
        } else {
            answer.openPositionsReason = "not_reported_yet"
            answer.todayPnlUsdtReason = "not_reported_yet"
        }
        return answer
    }
}
