import Foundation

/// The line protocol between the supervisor and a worker (CONTRACT §2): one JSON object per line.
/// The supervisor writes ``SupervisorMessage``s to the worker's stdin, credentials first; the
/// worker writes ``WorkerReport``s to its stdout. A report never carries a user id the supervisor
/// trusts: it tags every row with the user it started the worker for.
public enum SupervisorMessage: Sendable, Equatable {
    case credentials(apiKey: String, apiSecret: String, exchangeURL: String)
    case command(id: Int64, name: String, payload: String?)
    /// This worker's share of the host's request weight per minute (``WeightBudget``).
    case budget(weightPerMinute: Int)
    /// The user's bot settings (``BotSettings`` as JSON), at start.
    case settings(json: String)
    /// At start, the bot's orders and fills as central.sqlite has them, one per line, then
    /// `historyEnd`: a worker whose own database was lost or damaged rebuilds from them.
    case historyOrder(OrderRecord)
    case historyFill(BotFill)
    case historyEnd
    /// At start, each grid or DCA bot of the user that should run (its id and its definition as
    /// stored, ``BotDefinition/encoded()``): the worker starts it, or rebuilds it from its own
    /// record and the exchange.
    case bot(id: Int64, definition: String)
    /// Several hosts: the worker may send orders until this wall-clock time (``OrderPermit``).
    case lease(untilMs: Int64)
    /// The first bot's state as its last worker reported it (`running`, `stopped`,
    /// `emergency_stopped`): a worker whose own database has no state yet (a new host after a
    /// failover, a lost file) takes it once its history is restored.
    case traderState(String)

    public func line() -> String {
        var fields: [String: Any]
        switch self {
        case .credentials(let apiKey, let apiSecret, let url):
            fields = ["type": "credentials", "api_key": apiKey, "api_secret": apiSecret, "exchange_url": url]
        case .command(let id, let name, let payload):
            fields = ["type": "command", "id": id, "command": name]
            if let payload { fields["payload"] = payload }
        case .budget(let weight):
            fields = ["type": "budget", "weight_per_minute": weight]
        case .settings(let json):
            fields = ["type": "settings", "settings": json]
        case .historyOrder(let order):
            fields = ["type": "history_order", "order": order.json]
        case .historyFill(let fill):
            fields = ["type": "history_fill", "fill": fill.json]
        case .historyEnd:
            fields = ["type": "history_end"]
        case .bot(let id, let definition):
            fields = ["type": "bot", "bot_id": id, "definition": definition]
        case .lease(let until):
            fields = ["type": "lease", "until_ms": until]
        case .traderState(let state):
            fields = ["type": "trader_state", "state": state]
        }
        return JSONLine.encode(fields)
    }

    public static func parse(_ line: String) throws(ProtocolError) -> SupervisorMessage {
        let fields = try JSONLine.decode(line)
        switch fields["type"] as? String {
        case "credentials":
            guard let key = fields["api_key"] as? String, let secret = fields["api_secret"] as? String,
                let url = fields["exchange_url"] as? String
            else { throw ProtocolError(reason: "credentials need api_key, api_secret and exchange_url") }
            return .credentials(apiKey: key, apiSecret: secret, exchangeURL: url)
        case "command":
            guard let id = (fields["id"] as? NSNumber)?.int64Value, let name = fields["command"] as? String else {
                throw ProtocolError(reason: "a command needs id and command")
            }
            return .command(id: id, name: name, payload: fields["payload"] as? String)
        case "budget":
            guard let weight = (fields["weight_per_minute"] as? NSNumber)?.intValue, weight > 0 else {
                throw ProtocolError(reason: "a budget needs a positive weight_per_minute")
            }
            return .budget(weightPerMinute: weight)
        case "settings":
            guard let json = fields["settings"] as? String else { throw ProtocolError(reason: "settings needs settings") }
            return .settings(json: json)
        case "history_order":
            guard let order = fields["order"] as? [String: Any] else { throw ProtocolError(reason: "history_order needs order") }
            return .historyOrder(try OrderRecord(json: order))
        case "history_fill":
            guard let fill = fields["fill"] as? [String: Any] else { throw ProtocolError(reason: "history_fill needs fill") }
            return .historyFill(try BotFill(json: fill))
        case "history_end":
            return .historyEnd
        case "bot":
            guard let id = (fields["bot_id"] as? NSNumber)?.int64Value, let definition = fields["definition"] as? String else {
                throw ProtocolError(reason: "bot needs bot_id and definition")
            }
            return .bot(id: id, definition: definition)
        case "lease":
            guard let until = (fields["until_ms"] as? NSNumber)?.int64Value else { throw ProtocolError(reason: "lease needs until_ms") }
            return .lease(untilMs: until)
        case "trader_state":
            guard let state = fields["state"] as? String else { throw ProtocolError(reason: "trader_state needs state") }
            return .traderState(state)
        case let other:
            throw ProtocolError(reason: "unknown message type \(other ?? "none")")
        }
    }
}

/// What a worker reports on its stdout.
public enum WorkerReport: Sendable, Equatable {
    /// Alive, and what the bot is doing (`stopped`, `running`, `emergency_stopped`, `error`).
    case heartbeat(state: String)
    /// A command was carried out (or refused, with the reason in `result`).
    case acknowledged(commandID: Int64, result: String)
    /// Something the user should see: an error, a warning, a state change.
    case event(level: String, kind: String, message: String)
    /// The account valued in USDT, on every change and at least every 5 s.
    case portfolio(PortfolioValuation)
    /// Whether the exchange answers; when not, since when and why.
    case exchange(reachable: Bool, since: Date?, reason: String?)
    /// One point of the equity curve (sampled every minute).
    case equity(time: Date, totalUSDT: Decimal)
    /// An order of the bot, whenever it changes.
    case order(OrderRecord)
    /// A fill of one of the bot's orders, once.
    case fill(BotFill)
    /// Every position of the bot (closed ones with their realised PnL) and today's PnL.
    case positions([PositionRecord], todayPnL: Decimal?)
    /// A strategy signal, for the signals page.
    case signal(SignalRecord)
    /// The exchange's count of this host's request weight in the current minute, and this
    /// worker's failed exchange calls since it started by cause (sent with the heartbeat).
    case usage(weightUsed: Int, errors: [String: Int])
    /// What one of the worker's grid or DCA bots is doing, on every change and every few seconds.
    /// The supervisor stores it only when the bot is the user's.
    case botStatus(BotRunStatus)

    public func line() -> String {
        switch self {
        case .heartbeat(let state):
            JSONLine.encode(["type": "heartbeat", "state": state])
        case .acknowledged(let id, let result):
            JSONLine.encode(["type": "ack", "command_id": id, "result": result])
        case .event(let level, let kind, let message):
            JSONLine.encode(["type": "event", "level": level, "kind": kind, "message": message])
        case .portfolio(let valuation):
            JSONLine.encode([
                "type": "portfolio", "balances_at": Self.ms(valuation.balancesAt), "prices_at": Self.ms(valuation.pricesAt),
                "balances": valuation.lines.map(\.json),
            ])
        case .exchange(let reachable, let since, let reason):
            JSONLine.encode(
                ["type": "exchange", "reachable": reachable, "since": since.map(Self.ms) ?? NSNull(), "reason": reason ?? NSNull()] as [String: Any]
            )
        case .equity(let time, let total):
            JSONLine.encode(["type": "equity", "time": Self.ms(time), "total_usdt": DecimalText.format(total)])
        case .order(let order):
            JSONLine.encode(["type": "order", "order": order.json])
        case .fill(let fill):
            JSONLine.encode(["type": "fill", "fill": fill.json])
        case .signal(let signal):
            JSONLine.encode(["type": "signal", "signal": signal.json])
        case .usage(let weight, let errors):
            JSONLine.encode(["type": "usage", "weight_used": weight, "errors": errors] as [String: Any])
        case .botStatus(let status):
            JSONLine.encode(["type": "bot_status", "status": status.encoded()])
        case .positions(let positions, let today):
            JSONLine.encode(
                ["type": "positions", "positions": positions.map(\.json), "today_pnl_usdt": today.map { DecimalText.format($0) } ?? NSNull()] as [String: Any]
            )
        }
    }

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ value: Any?) -> Date? {
        guard let ms = (value as? NSNumber)?.int64Value, ms > 0, ms < 32_503_680_000_000 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }

    public static func parse(_ line: String) throws(ProtocolError) -> WorkerReport {
        let fields = try JSONLine.decode(line)
        switch fields["type"] as? String {
        case "heartbeat":
            return .heartbeat(state: try text(fields, "state", limit: 64))
        case "usage":
            guard let weight = (fields["weight_used"] as? NSNumber)?.intValue, weight >= 0,
                let raw = fields["errors"] as? [String: Any], raw.count <= 100
            else {
                throw ProtocolError(reason: "usage needs weight_used and errors (at most 100 causes)")
            }
            var errors: [String: Int] = [:]
            for (cause, count) in raw {
                guard cause.utf8.count <= 32, cause.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
                    let value = (count as? NSNumber)?.intValue, value >= 0
                else { throw ProtocolError(reason: "usage errors: a cause is a short name and its count a whole number") }
                errors[cause] = value
            }
            return .usage(weightUsed: weight, errors: errors)
        case "ack":
            guard let id = (fields["command_id"] as? NSNumber)?.int64Value else {
                throw ProtocolError(reason: "ack needs command_id")
            }
            return .acknowledged(commandID: id, result: try text(fields, "result", limit: 1_000))
        case "event":
            return .event(
                level: try text(fields, "level", limit: 16), kind: try text(fields, "kind", limit: 64),
                message: try text(fields, "message", limit: 2_000)
            )
        case "portfolio":
            guard let balancesAt = date(fields["balances_at"]), let pricesAt = date(fields["prices_at"]) else {
                throw ProtocolError(reason: "portfolio needs balances_at and prices_at (ms)")
            }
            guard let rows = fields["balances"] as? [[String: Any]], rows.count <= 2_000 else {
                throw ProtocolError(reason: "portfolio needs balances, at most 2000")
            }
            let lines = try rows.map { row throws(ProtocolError) in try PortfolioValuation.Line(json: row) }
            return .portfolio(PortfolioValuation(lines: lines, balancesAt: balancesAt, pricesAt: pricesAt))
        case "exchange":
            guard let reachable = fields["reachable"] as? Bool else { throw ProtocolError(reason: "exchange needs reachable") }
            let reason = fields["reason"] is String ? try text(fields, "reason", limit: 500) : nil
            return .exchange(reachable: reachable, since: date(fields["since"]), reason: reason)
        case "equity":
            guard let time = date(fields["time"]), let total = DecimalText.parse(try text(fields, "total_usdt", limit: 64)) else {
                throw ProtocolError(reason: "equity needs time and total_usdt")
            }
            return .equity(time: time, totalUSDT: total)
        case "order":
            guard let order = fields["order"] as? [String: Any] else { throw ProtocolError(reason: "order needs order") }
            return .order(try OrderRecord(json: order))
        case "fill":
            guard let fill = fields["fill"] as? [String: Any] else { throw ProtocolError(reason: "fill needs fill") }
            return .fill(try BotFill(json: fill))
        case "signal":
            guard let signal = fields["signal"] as? [String: Any] else { throw ProtocolError(reason: "signal needs signal") }
            return .signal(try SignalRecord(json: signal))
        case "positions":
            guard let rows = fields["positions"] as? [[String: Any]], rows.count <= 100 else { throw ProtocolError(reason: "positions needs at most 100 positions") }
            let today = fields["today_pnl_usdt"] is String ? try Fields.amount(fields, "today_pnl_usdt", signed: true) : nil
            return .positions(try rows.map { row throws(ProtocolError) in try PositionRecord(json: row) }, todayPnL: today)
        case "bot_status":
            guard let text = fields["status"] as? String else { throw ProtocolError(reason: "bot_status needs status") }
            return .botStatus(try BotRunStatus.decode(text))
        case let other:
            throw ProtocolError(reason: "unknown report type \(other ?? "none")")
        }
    }

    private static func text(_ fields: [String: Any], _ key: String, limit: Int) throws(ProtocolError) -> String {
        guard let value = fields[key] as? String else { throw ProtocolError(reason: "\(key) is missing or not a string") }
        guard value.count <= limit else { throw ProtocolError(reason: "\(key) is longer than \(limit) characters") }
        return value
    }
}

public struct ProtocolError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}

/// One JSON object on one line.
public enum JSONLine {
    /// Longer lines are refused rather than buffered without bound.
    public static let maxLength = 1 << 20

    public static func encode(_ fields: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ line: String) throws(ProtocolError) -> [String: Any] {
        guard line.utf8.count <= maxLength else { throw ProtocolError(reason: "line longer than \(maxLength) bytes") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let fields = object as? [String: Any] else {
            throw ProtocolError(reason: "not a JSON object")
        }
        return fields
    }
}

extension WorkerReport {
    /// Whether the report carries rows that belong to a bot (orders, fills, positions, signals,
    /// equity).
    public var carriesRows: Bool {
        switch self {
        case .order, .fill, .positions, .signal, .equity: true
        default: false
        }
    }

    /// The bot an order, fill or signal row claims, with an order's or fill's client order id
    /// (``RowOwner``).
    public var rowClaim: (bot: Int64, clientOrderID: String?)? {
        switch self {
        case .order(let order): order.botID.map { ($0, order.clientOrderID) }
        case .fill(let fill): fill.botID.map { ($0, fill.clientOrderID) }
        case .signal(let signal): signal.botID.map { ($0, nil) }
        default: nil
        }
    }

    /// The report with every row it carries given to `bot`, whatever the worker wrote: the
    /// supervisor decides whose rows they are (``RowOwner``), as it decides whose user they are.
    public func tagged(bot: Int64?) -> WorkerReport {
        switch self {
        case .order(var order):
            order.botID = bot
            return .order(order)
        case .fill(var fill):
            fill.botID = bot
            return .fill(fill)
        case .positions(let positions, let today):
            return .positions(positions.map { position in
                var position = position
                position.botID = bot
                return position
            }, todayPnL: today)
        case .signal(var signal):
            signal.botID = bot
            return .signal(signal)
        default:
            return self
        }
    }
}
