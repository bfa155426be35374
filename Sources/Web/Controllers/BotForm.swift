import Common
import Foundation

/// The `/bots/new` form: its fields as the JSON `POST /api/v1/bots` takes (one check for both),
/// and the form's context with the values a refused form keeps.
///
/// Fields: `name`, `mode`, `strategy`, `symbol`, `allocation_usdt`, `paper_usdt`, and each
/// strategy's parameters prefixed with its name (`grid_lower`, `dca_take_profit`, `sma_cross_fast`).
enum BotForm {
    /// The parameters the form offers per strategy, and the value a field starts with (the
    /// readers' own defaults; empty where the user must choose, such as a grid's prices).
    static let parameters: [(strategy: String, keys: [(key: String, start: String)])] = [
        ("grid", [("lower", ""), ("upper", ""), ("levels", "10"), ("spacing", "arithmetic"), ("investment", ""), ("stop_loss", ""), ("take_profit", ""), ("trail", "off")]),
        (
            "dca",
            [
                ("base_order", ""), ("safety_orders", "3"), ("deviation", "1"), ("step_scale", "1"), ("volume_scale", "1"), ("take_profit", ""),
                ("trailing", ""), ("stop_loss", ""), ("max_deals", "1"), ("start", "immediately"), ("start_fast", "9"), ("start_slow", "21"),
            ]
        ),
        ("sma_cross", [("fast", "9"), ("slow", "21")]),
        ("ml", []),
        ("signal", []),
    ]

    /// The parameters chosen from a list, and their values.
    static let choices = ["spacing": GridParameters.Spacing.allCases.map(\.rawValue), "start": ["immediately", "sma_cross", "ml", "signal"], "trail": ["off", "up"]]

    /// A stored bot as the form's fields (to change it). An allocation or paper USDT that is
    /// still the default stays empty, so that it follows a change of the parameters.
    static func values(of definition: BotDefinition) -> [String: String] {
        var form = ["name": definition.name, "mode": definition.mode.rawValue, "strategy": definition.strategyName, "symbol": definition.symbols.first ?? ""]
        if definition.allocationUsdt != BotDefinition.defaultAllocation(of: definition.plan) {
            form["allocation_usdt"] = DecimalText.plain(definition.allocationUsdt)
        }
        if let usdt = definition.paperBalances["USDT"], definition.paperBalances != ["USDT": definition.allocationUsdt] {
            form["paper_usdt"] = DecimalText.plain(usdt)
        }
        switch definition.plan {
        case .signals(let settings):
            for (key, value) in settings.strategy.params { form["\(settings.strategy.name)_\(key)"] = BotsPage.number(value) }
        case .grid(let grid):
            for (key, value) in BotParameters.grid(grid).texts { form["grid_\(key)"] = value }
        case .dca(let dca):
            for (key, value) in BotParameters.dca(dca).texts { form["dca_\(key)"] = value }
        case .signal:
            break
        }
        return form
    }

    /// `base`: the settings a `sma_cross` or `ml` bot keeps beyond what the form shows (a
    /// changed bot's own; a new one's are the defaults).
    static func fields(_ form: [String: String], base: BotSettings = .defaults) throws(APIError) -> [String: Any] {
        func given(_ name: String) -> String? {
            guard let text = form[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        let mode = given("mode") ?? "paper"
        var fields: [String: Any] = ["name": form["name"]?.trimmingCharacters(in: .whitespaces) ?? "", "mode": mode]
        if let allocation = given("allocation_usdt") { fields["allocation_usdt"] = allocation }
        if mode == "paper", let usdt = given("paper_usdt") { fields["paper_balances"] = ["USDT": usdt] }
        let strategy = given("strategy") ?? ""
        let symbol = given("symbol")?.uppercased() ?? ""
        var params: [String: Any] = [:]
        for key in parameters.first(where: { $0.strategy == strategy })?.keys.map(\.key) ?? [] {
            guard let text = given("\(strategy)_\(key)") else { continue }
            if BotSettings.strategies.contains(strategy) {
                // sma_cross and ml take numbers.
                guard let number = Double(text), number.isFinite else {
                    throw APIError(.unprocessableContent, "invalid_bot", "strategy.params.\(key) must be a number")
                }
                params[key] = number
            } else {
                params[key] = text
            }
        }
        if base.strategy.name == strategy {
            // What the form does not show (an ml bot's parameters) stays as it was.
            for (key, value) in base.strategy.params where params[key] == nil { params[key] = value }
        }
        fields["strategy"] = ["name": strategy, "params": params]
        if BotSettings.strategies.contains(strategy) {
            var settings = (try? JSONSerialization.jsonObject(with: base.encoded())) as? [String: Any] ?? [:]
            // The form shows one symbol: a bot of several keeps them while its first is unchanged.
            settings["symbols"] = base.symbols.first == symbol ? base.symbols : [symbol]
            fields["settings"] = settings
        } else {
            fields["symbol"] = symbol
        }
        return fields
    }

    /// The form's context: `form` holds what was typed (empty for a new form).
    static func context(_ form: [String: String], csrf: String, action: String = "/bots/new") -> [String: Any] {
        func value(_ name: String, _ start: String) -> String { form[name] ?? start }
        let general = [("name", ""), ("symbol", "BTCUSDT"), ("allocation_usdt", ""), ("paper_usdt", "")].map { name, start -> [String: Any] in
            [
                "name": name, "label": t("bots.field.\(name)"), "hint": t("bots.hint.\(name)"), "value": value(name, start),
                "numeric": name == "allocation_usdt" || name == "paper_usdt",
            ]
        }
        let mode = value("mode", "paper")
        let chosen = value("strategy", "grid")
        let groups = parameters.map { strategy, keys -> [String: Any] in
            let fields = keys.map { key, start -> [String: Any] in
                let name = "\(strategy)_\(key)"
                var field: [String: Any] = [
                    "name": name, "label": t("bots.param.\(strategy).\(key)"), "hint": t("bots.param_hint.\(strategy).\(key)"), "value": value(name, start),
                ]
                if let choices = choices[key] {
                    field["options"] = [
                        "choices": choices.map { ["value": $0, "label": t("bots.\(key).\($0)"), "selected": $0 == value(name, start)] as [String: Any] }
                    ]
                }
                return field
            }
            return ["strategy": strategy, "legend": t("strategy.\(strategy)"), "about": t("bots.about.\(strategy)"), "fields": fields]
        }
        let changing = action != "/bots/new"
        return [
            "csrf": csrf, "general": general, "action": action, "title": changing ? t("bots.edit_title", ["name": form["name"] ?? ""]) : t("bots.new_title"),
            "submit": changing ? t("bots.save") : t("bots.create"),
            "modes": BotDefinition.Mode.allCases.map { ["value": $0.rawValue, "label": t("bots.mode_\($0.rawValue)"), "selected": $0.rawValue == mode] as [String: Any] },
            "strategies": parameters.map { ["value": $0.strategy, "label": t("strategy.\($0.strategy)"), "selected": $0.strategy == chosen] as [String: Any] },
            "groups": groups,
        ]
    }
}
