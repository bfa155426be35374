import Foundation

/// Something to tell a user, made from what their worker reported or what the supervisor saw.
/// `key` names it: a channel gets one message per key (a fill reported twice is told once), and
/// a webhook's `Idempotency-Key` is built from it.
public struct Notice: Sendable, Equatable {
    /// nil: a test message, sent whatever the channel picked.
    public let event: NotificationEvent?
    public let key: String
    public let fact: Fact
    public let time: Date

    public init(event: NotificationEvent?, key: String, fact: Fact, time: Date) {
        self.event = event
        self.key = key
        self.fact = fact
        self.time = time
    }

    public enum Fact: Sendable, Equatable {
        case fill(symbol: String, side: String, qty: Decimal, price: Decimal, quote: Decimal, bot: Int64?)
        case order(symbol: String, side: String, type: String, qty: Decimal, price: Decimal?, placed: Bool, bot: Int64?)
        case exit(symbol: String, takeProfit: Bool, qty: Decimal, price: Decimal, bot: Int64?)
        case botState(bot: Int64?, name: String, state: String, reason: String?)
        case emergencyStop(reason: String)
        case dailySummary(day: String, pnl: Decimal?, fills: Int, equity: Decimal?)
        case exchangeUnreachable(minutes: Int, reason: String)
        case keyRefused(reason: String)
        case test
    }

    /// The message in the user's language (`en`, `ko`; anything else is English).
    public func text(language: String?) -> String {
        let ko = language == "ko"
        func n(_ value: Decimal) -> String { DecimalText.plain(value) }
        func usdt(_ value: Decimal) -> String { DecimalText.format(value, places: 2) }
        func bot(_ id: Int64?) -> String { id.map { ko ? " (봇 \($0))" : " (bot \($0))" } ?? "" }
        switch fact {
        case .fill(let symbol, let side, let qty, let price, let quote, let id):
            return ko
                ? "체결: \(symbol) \(side == "BUY" ? "매수" : "매도") \(n(qty)) @ \(n(price)) = \(usdt(quote)) USDT\(bot(id))"
                : "Filled: \(side) \(n(qty)) \(symbol) at \(n(price)) = \(usdt(quote)) USDT\(bot(id))"
        case .order(let symbol, let side, let type, let qty, let price, let placed, let id):
            let at = price.map { " @ \(n($0))" } ?? ""
            return ko
                ? "주문 \(placed ? "접수" : "취소"): \(symbol) \(side) \(type) \(n(qty))\(at)\(bot(id))"
                : "Order \(placed ? "placed" : "cancelled"): \(side) \(type) \(n(qty)) \(symbol)\(at)\(bot(id))"
        case .exit(let symbol, let takeProfit, let qty, let price, let id):
            return ko
                ? "\(takeProfit ? "익절" : "손절"): \(symbol) \(n(qty)) 매도 @ \(n(price))\(bot(id))"
                : "\(takeProfit ? "Take-profit" : "Stop-loss") exit: sold \(n(qty)) \(symbol) at \(n(price))\(bot(id))"
        case .botState(let id, let name, let state, let reason):
            let why = reason.map { ": \($0)" } ?? ""
            let who = id.map { ko ? "봇 \($0) (\(name))" : "Bot \($0) (\(name))" } ?? (ko ? Self.koName(name) : "The \(name)")
            return ko ? "\(who): \(Self.koState(state))\(why)" : "\(who): \(state.replacingOccurrences(of: "_", with: " "))\(why)"
        case .emergencyStop(let reason):
            return ko ? "긴급 정지: \(reason)" : "Emergency stop: \(reason)"
        case .dailySummary(let day, let pnl, let fills, let equity):
            let pnlText = pnl.map { "\(usdt($0)) USDT" } ?? (ko ? "체결 없음" : "no fills")
            let equityText = equity.map { "\(usdt($0)) USDT" } ?? (ko ? "알 수 없음 (거래소 평가 없음)" : "unknown (no valuation from the exchange yet)")
            return ko
                ? "일일 요약 \(day): 실현 손익 \(pnlText), 체결 \(fills)건, 자산 \(equityText)"
                : "Daily summary for \(day): realised PnL \(pnlText), \(fills) fill\(fills == 1 ? "" : "s"), equity \(equityText)"
        case .exchangeUnreachable(let minutes, let reason):
            return ko ? "거래소에 \(minutes)분 넘게 연결되지 않습니다: \(reason)" : "The exchange has been unreachable for over \(minutes) min: \(reason)"
        case .keyRefused(let reason):
            return ko
                ? "거래소가 API 키를 거부합니다: \(reason). /settings 에서 키를 확인하세요."
                : "The exchange no longer accepts your API key: \(reason). Check the key at /settings."
        case .test:
            return ko ? "Crypto Trader Pro 테스트 메시지입니다. 이 채널이 작동합니다." : "A test message from Crypto Trader Pro: this channel works."
        }
    }

    static func koName(_ name: String) -> String {
        switch name {
        case "trading bot": "거래 봇"
        case "worker": "워커"
        default: name
        }
    }

    static func koState(_ state: String) -> String {
        switch state {
        case "running": "실행 중"
        case "stopped": "정지됨"
        case "error": "오류"
        case "crash_loop": "반복 충돌"
        case "emergency_stopped": "긴급 정지됨"
        default: state
        }
    }

    /// The facts as strings, for a JSON webhook's `data`.
    public var data: [String: String] {
        func n(_ value: Decimal) -> String { DecimalText.plain(value) }
        switch fact {
        case .fill(let symbol, let side, let qty, let price, let quote, let bot):
            return ["symbol": symbol, "side": side, "qty": n(qty), "price": n(price), "quote_qty": n(quote)].merging(bot.map { ["bot_id": "\($0)"] } ?? [:]) { a, _ in a }
        case .order(let symbol, let side, let type, let qty, let price, let placed, let bot):
            var data = ["symbol": symbol, "side": side, "type": type, "qty": n(qty), "status": placed ? "placed" : "cancelled"]
            if let price { data["price"] = n(price) }
            if let bot { data["bot_id"] = "\(bot)" }
            return data
        case .exit(let symbol, let takeProfit, let qty, let price, let bot):
            var data = ["symbol": symbol, "exit": takeProfit ? "take_profit" : "stop_loss", "qty": n(qty), "price": n(price)]
            if let bot { data["bot_id"] = "\(bot)" }
            return data
        case .botState(let bot, let name, let state, let reason):
            var data = ["name": name, "state": state]
            if let bot { data["bot_id"] = "\(bot)" }
            if let reason { data["reason"] = reason }
            return data
        case .emergencyStop(let reason), .keyRefused(let reason):
            return ["reason": reason]
        case .dailySummary(let day, let pnl, let fills, let equity):
            var data = ["day": day, "fills": "\(fills)"]
            if let pnl { data["realized_pnl_usdt"] = DecimalText.format(pnl, places: 2) }
            if let equity { data["equity_usdt"] = DecimalText.format(equity, places: 2) }
            return data
        case .exchangeUnreachable(let minutes, let reason):
            return ["minutes": "\(minutes)", "reason": reason]
        case .test:
            return [:]
        }
    }
}
