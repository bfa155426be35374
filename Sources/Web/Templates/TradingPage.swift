import Common
import Foundation

/// `/trading`: the price chart of the bot's symbol with its entries, exits and resting orders
/// next to the bot's state and controls; then its positions, orders, fills, the events it
/// reported (refused entries, risk exits, errors) and its settings.
enum TradingPage {
    struct Model {
        var viewer: Layout.Viewer
        var bot: BotView
        var settings: BotSettings
        var settingsAreDefault: Bool
        var orders: [OrderRecord]
        var fills: [BotFill]
        var events: [WorkerEvent]
        /// The newest `settings_changed` command: when the bot applied the saved settings.
        var settingsCommand: StoredCommand? = nil
        var error: String?
        var notice: String?
        var timeZone = TimeZone.gmt
        var now: Date
        /// The order form's fields as last submitted (after a refusal), else a fresh form.
        var orderDraft: [String: String]? = nil
        /// The chart's symbol (the first of the settings), its last 100 fills and its open orders.
        var chart: PriceChart.Data? = nil
        var formats: [String: SymbolFormat] = [:]

        func format(_ symbol: String) -> SymbolFormat { formats[symbol] ?? .unknown }
    }

    /// The symbols whose formats the page needs.
    static func symbols(_ m: Model) -> Set<String> {
        Set(m.settings.symbols + m.bot.positions.map(\.symbol) + m.orders.map(\.symbol) + m.fills.map(\.symbol))
    }

    static func render(_ m: Model) -> String {
        let zone = m.timeZone
        var c: [String: Any] = [
            "csrf": m.viewer.csrfToken, "state": m.bot.state, "stateText": t("state.\(m.bot.state)"),
        ]
        if let error = m.error { c["error"] = error }
        if let notice = m.notice { c["notice"] = notice }
        if let reason = m.bot.localizedReason { c["reason"] = reason }
        if m.bot.state != "no_key" {
            let close = m.settings.emergencyClosePositions
            var controls: [String: Any] = [
                "canStart": !["running", "starting"].contains(m.bot.state), "canStop": m.bot.state != "stopped" && m.bot.state != "emergency_stopped",
                "emergencyConfirm": t(close ? "trading.emergency_confirm_close" : "trading.emergency_confirm"),
                "emergencyHint": t(close ? "trading.emergency_hint_close" : "trading.emergency_hint"),
            ]
            if let today = m.bot.todayPnL?.value { controls["today"] = USDTFormat.signedContext(today) }
            c["controls"] = controls
            c["orderForm"] = orderFormContext(symbols: m.settings.symbols, draft: m.orderDraft ?? [:], csrf: m.viewer.csrfToken)
        }
        if let chart = m.chart { c["priceChart"] = PriceChart.context(chart, format: m.format(chart.symbol), zone: zone) }
        c["positions"] = positionRows(m.bot.positions.filter(\.isOpen), format: m.format)
        c["orders"] = orderRows(m.orders, format: m.format, zone: zone)
        c["fills"] = fillRows(m.fills, format: m.format, zone: zone)
        c["events"] = m.events.map { ["time": DisplayTime.text($0.time, zone), "level": $0.level, "kind": $0.kind, "message": $0.message] }
        c["settings"] = settingsContext(m.settings, isDefault: m.settingsAreDefault, command: m.settingsCommand, csrf: m.viewer.csrfToken, returnTo: "/trading", timeZone: zone)
        return Layout.page(
            title: t("trading.title"), active: "/trading", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, zone)]),
            content: Views.render("trading", c), live: ["fill", "order", "bot", "command"], freshnessAt: m.now
        )
    }

    /// The "Place an order" form: the configured symbols, and a request id made now, so that
    /// submitting the same form twice places one order.
    static func orderFormContext(symbols: [String], draft: [String: String], csrf: String) -> [String: Any] {
        func options(_ values: [String], _ chosen: String?, label: (String) -> String) -> [[String: Any]] {
            values.map { ["value": $0, "label": label($0), "selected": $0 == chosen] as [String: Any] }
        }
        let requestID = draft["request_id"].flatMap { $0.isEmpty ? nil : $0 } ?? ManualOrderIntake.pageRequestID()
        return [
            "csrf": csrf, "requestID": requestID,
            "symbols": options(symbols, draft["symbol"]) { $0 },
            "sides": options(["BUY", "SELL"], draft["side"]) { t("order.side.\($0.lowercased())") },
            "types": options(["limit", "market"], draft["type"]) { t("order.type.\($0)") },
            "fields": ["quantity", "price", "take_profit", "stop_loss"].map { name -> [String: Any] in
                ["name": name, "label": t("order.field.\(name)"), "hint": t("order.hint.\(name)"), "value": draft[name] ?? ""]
            },
        ]
    }

    /// Whether the bot has the saved settings: applied (when), waiting for it, or read at its start.
    static func appliedLine(isDefault: Bool, command: StoredCommand?, timeZone: TimeZone) -> String {
        if isDefault { return t("settings.defaults") }
        guard let command else { return t("settings.saved") + " " + t("settings.read_at_start") }
        let saved = command.createdAt.map { t("settings.saved_at", ["time": DisplayTime.text($0, timeZone)]) } ?? t("settings.saved")
        if let applied = command.acknowledgedAt {
            var text = saved + " " + t("settings.applied_at", ["time": DisplayTime.text(applied, timeZone)])
            if let result = command.result, result != "ok" { text += " (\(result))" }
            return text
        }
        return saved + " " + t(command.deliveredAt != nil ? "settings.waiting" : "settings.not_running")
    }

    /// The bot settings form's context (`bot_settings.mustache`), on `/trading` and `/settings`.
    static func settingsContext(_ s: BotSettings, isDefault: Bool, command: StoredCommand?, csrf: String, returnTo: String, timeZone: TimeZone) -> [String: Any] {
        func field(_ name: String, _ value: String, numeric: Bool = true, hint: String? = nil) -> [String: Any] {
            var entry: [String: Any] = ["name": name, "label": t("field.\(name)"), "value": value, "numeric": numeric]
            if let hint { entry["hint"] = hint }
            return entry
        }
        func plain(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        func select(_ name: String, _ values: [String], _ current: String, hint: String? = nil) -> [String: Any] {
            var entry: [String: Any] = [
                "name": name, "label": t("field.\(name)"),
                "options": values.map { ["value": $0, "label": t("\(name).\($0)"), "selected": $0 == current] as [String: Any] },
            ]
            if let hint { entry["hint"] = hint }
            return entry
        }
        return [
            "csrf": csrf, "returnTo": returnTo, "applied": appliedLine(isDefault: isDefault, command: command, timeZone: timeZone),
            "before": [field("symbols", s.symbols.joined(separator: ", "), numeric: false)],
            "intervals": BotSettings.intervals.map { ["name": $0, "selected": $0 == s.interval] as [String: Any] },
            "strategies": ["sma_cross", "ml"].map { ["value": $0, "label": t("strategy.\($0)"), "selected": $0 == s.strategy.name] as [String: Any] },
            "fields": [
                field("fast", plain(s.strategy.params["fast"] ?? 9)), field("slow", plain(s.strategy.params["slow"] ?? 21)),
                field("max_position_pct", plain(s.risk.maxPositionPct)), field("max_position_usdt", DecimalText.format(s.risk.maxPositionUsdt, places: 2)),
                field("max_open_positions", String(s.risk.maxOpenPositions)), field("stop_loss_pct", plain(s.risk.stopLossPct)),
                field("take_profit_pct", plain(s.risk.takeProfitPct)), field("trailing_stop_pct", plain(s.risk.trailingStopPct)),
                field("daily_loss_limit_usdt", DecimalText.format(s.risk.dailyLossLimitUsdt, places: 2), hint: t("field.daily_loss_limit_usdt_hint")),
                field("max_drawdown_pct", plain(s.risk.maxDrawdownPct), hint: t("field.max_drawdown_pct_hint")),
                field("cooldown_minutes", String(s.risk.cooldownMinutes)),
            ],
            "closeOnEmergency": s.emergencyClosePositions,
            "unknownOrders": ["adopt", "cancel"].map { ["value": $0, "label": t("unknown_orders.\($0)"), "selected": $0 == s.unknownOrders] as [String: Any] },
            "selects": [
                select("exits", BotSettings.Execution.Exits.allCases.map(\.rawValue), s.execution.exits.rawValue, hint: t("field.exits_hint")),
                select("entry", BotSettings.Execution.Entry.allCases.map(\.rawValue), s.execution.entry.rawValue),
            ],
            "execution": [
                field("entry_offset_pct", plain(s.execution.entryOffsetPct), hint: t("field.entry_offset_pct_hint")),
                field("entry_timeout_seconds", String(s.execution.entryTimeoutSeconds)),
            ],
            "timeoutActions": select(
                "entry_timeout_action", BotSettings.Execution.TimeoutAction.allCases.map(\.rawValue), s.execution.entryTimeoutAction.rawValue),
            "after": [field("timezone", s.timezone, numeric: false)],
        ]
    }
}

extension TradingPage {
    /// The rows of the positions table (`trading.mustache`, `bot.mustache`).
    static func positionRows(_ positions: [PositionRecord], format: (String) -> SymbolFormat) -> [[String: Any]] {
        positions.map { p -> [String: Any] in
            let format = format(p.symbol)
            func price(_ v: Decimal?, none: String = "common.unavailable") -> [String: Any] {
                v.map { ["value": format.price($0)] } ?? ["missing": t(none)]
            }
            func pnl(_ v: Decimal?) -> [String: Any] {
                guard let v else { return ["missing": t("common.unavailable")] }
                let signed = USDTFormat.signedContext(v)
                return ["value": signed["text"]!, "tone": signed["tone"]!]
            }
            return [
                "symbol": p.symbol,
                "cells": [
                    ["value": format.quantity(p.qty)], price(p.avgEntryPrice), price(p.currentPrice), pnl(p.unrealizedPnLUSDT), pnl(p.realizedPnLUSDT),
                    price(p.stopLoss, none: "common.off"), price(p.takeProfit, none: "common.off"),
                ],
            ]
        }
    }

    /// The rows of the orders table; an open order has its cancel button.
    static func orderRows(_ orders: [OrderRecord], format: (String) -> SymbolFormat, zone: TimeZone) -> [[String: Any]] {
        orders.map { o -> [String: Any] in
            let format = format(o.symbol)
            var row: [String: Any] = [
                "created": DisplayTime.text(o.createdAt, zone), "symbol": o.symbol, "side": o.side, "sideClass": o.side.lowercased(), "status": o.status.rawValue,
                "type": o.type + (o.stopPrice.map { " " + t("order.stop_at", ["price": format.price($0)]) } ?? "")
                    + (o.orderListID.map { " · " + t("order.in_list", ["id": String($0)]) } ?? ""),
                "price": o.price.map { format.price($0) } ?? "—",
                "filled": "\(format.quantity(o.executedQty)) / \(format.quantity(o.origQty))", "reason": o.reason ?? "",
            ]
            // A grid's or DCA bot's order goes with its bot's stop, not alone.
            if o.isOpen, let id = o.orderID, !OrderPurpose(o.clientOrderID).isHostedBotOrder { row["cancel"] = String(id) }
            return row
        }
    }

    /// The rows of the fills table.
    static func fillRows(_ fills: [BotFill], format: (String) -> SymbolFormat, zone: TimeZone) -> [[String: Any]] {
        fills.map { f -> [String: Any] in
            let format = format(f.symbol)
            return [
                "time": DisplayTime.text(f.time, zone), "symbol": f.symbol, "side": f.side, "sideClass": f.side.lowercased(), "price": format.price(f.price),
                "qty": format.quantity(f.qty), "commission": "\(NumberText.trimmed(f.commission)) \(f.commissionAsset)",
            ]
        }
    }
}
