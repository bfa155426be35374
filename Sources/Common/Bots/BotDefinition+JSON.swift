import Foundation

/// A bot definition as JSON: the body of `POST`/`PUT /api/v1/bots…`, the row stored in
/// `central.sqlite`, and the heart of the API's answer are one shape, so what is stored is what
/// was accepted and reads back unchanged.
///
/// ```
/// {"name", "mode": "live"|"paper", "allocation_usdt", "paper_balances": {"USDT": "1000"},
///  "strategy": {"name", "params"},
///  "settings": {…the /api/v1/settings object…}     (sma_cross, ml)
///  "symbol": "BTCUSDT"}                            (grid, dca)
/// ```
///
/// Defaults where a user would expect them: `live`; a paper bot's balances are its allocation
/// in USDT; the allocation of a signals bot is what its risk limits allow (largest position ×
/// positions), of a grid its investment, of a DCA bot what its deals may use at once.
extension BotDefinition {
    public static func decode(_ data: Data) throws(SettingsError) -> BotDefinition {
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            throw SettingsError(field: "body", "is not a bot object")
        }
        return try BotDefinition(fields: fields)
    }

    public init(fields: [String: Any]) throws(SettingsError) {
        guard let name = fields["name"] as? String else { throw SettingsError(field: "name", "is required (text)") }
        let modeText = fields["mode"] ?? "live"
        guard let modeName = modeText as? String, let mode = Mode(rawValue: modeName) else {
            throw SettingsError(field: "mode", "must be live or paper")
        }
        let strategy = fields["strategy"] as? [String: Any]
        let settingsFields = fields["settings"] as? [String: Any]
        if fields["strategy"] != nil, strategy == nil { throw SettingsError(field: "strategy", "must be an object {\"name\", \"params\"}") }
        if fields["settings"] != nil, settingsFields == nil { throw SettingsError(field: "settings", "must be a settings object") }
        guard let strategyName = (strategy?["name"] ?? (settingsFields?["strategy"] as? [String: Any])?["name"]) as? String else {
            throw SettingsError(field: "strategy.name", "is required: one of \(Self.strategies.joined(separator: ", "))")
        }
        guard Self.strategies.contains(strategyName) else {
            throw SettingsError(field: "strategy.name", "must be one of \(Self.strategies.joined(separator: ", "))")
        }
        let allocation = try Self.decimal(fields["allocation_usdt"], field: "allocation_usdt")

        let plan: Plan
        if BotSettings.strategies.contains(strategyName) {
            guard var settingsFields else {
                throw SettingsError(field: "settings", "is needed for a \(strategyName) bot: the object GET /api/v1/settings shows")
            }
            if let strategy { settingsFields["strategy"] = strategy }
            guard let data = try? JSONSerialization.data(withJSONObject: settingsFields) else { throw SettingsError(field: "settings", "is not JSON") }
            do {
                plan = .signals(try BotSettings.decode(data))
            } catch {
                throw SettingsError(field: "settings.\(error.field)", error.problem)
            }
        } else {
            guard let symbol = fields["symbol"] as? String else { throw SettingsError(field: "symbol", "is required for a \(strategyName) bot (such as BTCUSDT)") }
            try BotSettings.checkSymbol(symbol)
            let params = strategy?["params"] ?? [String: Any]()
            guard let params = params as? [String: Any] else { throw SettingsError(field: "strategy.params", "must be an object") }
            let known = Set(BotParameters.keys(of: strategyName))
            if let unknown = params.keys.sorted().first(where: { !known.contains($0) }) {
                throw SettingsError(field: "strategy.params.\(unknown)", "is not a \(strategyName) parameter (they are \(known.sorted().joined(separator: ", ")))")
            }
            var texts: [String: String] = [:]
            for (key, value) in params {
                guard let text = Self.text(value) else { throw SettingsError(field: "strategy.params.\(key)", "must be a number or a text") }
                texts[key] = text
            }
            let parsed = try BotParameters.parse(name: strategyName, symbol: symbol, investment: allocation ?? 0) { texts[$0] }
            switch parsed {
            case .grid(let grid): plan = .grid(grid)
            case .dca(let dca): plan = .dca(dca)
            case .signal(let signal):
                guard allocation != nil else {
                    throw SettingsError(field: "allocation_usdt", "is needed for a signal bot: the most USDT its signals may have in use")
                }
                plan = .signal(signal)
            }
        }

        let allocationUsdt = allocation ?? Self.defaultAllocation(of: plan)
        var balances: [String: Decimal] = [:]
        if let given = fields["paper_balances"] {
            guard let given = try Self.balances(given) else {
                throw SettingsError(field: "paper_balances", "must be an object such as {\"USDT\": \"1000\"} or a list of {\"asset\", \"amount\"}")
            }
            for (asset, value) in given {
                guard let amount = try Self.decimal(value, field: "paper_balances.\(asset)") else {
                    throw SettingsError(field: "paper_balances.\(asset)", "must be a number")
                }
                balances[asset] = amount
            }
        } else if mode == .paper {
            balances = ["USDT": allocationUsdt]
        }
        self.init(name: name, mode: mode, allocationUsdt: allocationUsdt, plan: plan, paperBalances: balances)
        try validate()
    }

    /// Paper balances as an object (asset → amount), or as the answers write them, a list of
    /// `{"asset","amount"}`; nil for anything else.
    private static func balances(_ value: Any) throws(SettingsError) -> [String: Any]? {
        if let object = value as? [String: Any] { return object }
        guard let list = value as? [Any] else { return nil }
        var object: [String: Any] = [:]
        for entry in list {
            guard let entry = entry as? [String: Any], let asset = entry["asset"] as? String, let amount = entry["amount"] else {
                throw SettingsError(field: "paper_balances", "each entry needs asset and amount")
            }
            object[asset] = amount
        }
        return object
    }

    /// What a bot may use when its owner does not say: what its own parameters already commit.
    public static func defaultAllocation(of plan: Plan) -> Decimal {
        switch plan {
        case .signals(let settings): settings.risk.maxPositionUsdt * Decimal(settings.risk.maxOpenPositions)
        case .grid(let grid): grid.investment
        case .dca(let dca): DCAPlan(dca).budget
        case .signal: 0
        }
    }

    /// The stored and answered form; ``init(fields:)`` reads it back to an equal definition.
    public var fields: [String: Any] {
        var fields: [String: Any] = [
            "name": name, "mode": mode.rawValue, "allocation_usdt": DecimalText.format(allocationUsdt),
            "paper_balances": paperBalances.mapValues { DecimalText.format($0) },
        ]
        switch plan {
        case .signals(let settings):
            let object = (try? JSONSerialization.jsonObject(with: settings.encoded())) as? [String: Any] ?? [:]
            fields["settings"] = object
            fields["strategy"] = object["strategy"]
        case .grid(let grid):
            fields["symbol"] = grid.symbol
            fields["strategy"] = ["name": "grid", "params": BotParameters.grid(grid).texts]
        case .dca(let dca):
            fields["symbol"] = dca.symbol
            fields["strategy"] = ["name": "dca", "params": BotParameters.dca(dca).texts]
        case .signal(let signal):
            fields["symbol"] = signal.symbol
            fields["strategy"] = ["name": "signal", "params": [String: String]()]
        }
        return fields
    }

    public func encoded() -> Data {
        (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Whether the worker of this version runs it: a live `sma_cross` or `ml` bot that is the
    /// user's first. Grid, DCA and paper bots are defined, checked, backtested and stored, but not
    /// yet run (the README says so); their state says why.
    public var runsInWorker: Bool {
        guard mode == .live, case .signals = plan else { return false }
        return true
    }

    private static func decimal(_ value: Any?, field: String) throws(SettingsError) -> Decimal? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = text(value), let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), Double(text)?.isFinite == true else {
            throw SettingsError(field: field, "must be a number (such as \"1000\")")
        }
        return number
    }

    /// A JSON number or text as the text the parameter readers take; nil for anything else.
    private static func text(_ value: Any) -> String? {
        if let text = value as? String { return text }
        // JSON true and false arrive as NSNumbers too: their type is a C char.
        if let number = value as? NSNumber, String(cString: number.objCType) != "c" { return number.stringValue }
        return nil
    }
}
