import Common
import Foundation
import Hummingbird

/// What a backtest runs on: the symbol and interval, the period (or an uploaded candles CSV), the
/// strategy, the fee and the starting cash; read from the API's JSON or multipart body or from
/// the `/backtest` form, every field checked (a 400 or 422 naming it).
struct BacktestRequest {
    var symbol: String
    var interval: String
    var start: Date?
    var end: Date?
    var strategy: BotSettings.Strategy
    var fee: Double
    var cash: Double
    var csv: Data?
    /// A grid or DCA bot's settings when `strategy.name` is `grid` or `dca`.
    var bot: BotParameters? = nil

    static func parse(_ request: Hummingbird.Request, user: UserID) async throws(APIError) -> BacktestRequest {
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = type.components(separatedBy: "boundary=").last?.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")), !boundary.isEmpty
            else {
                throw APIError.invalid("The multipart body has no boundary.")
            }
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: 64 << 20)
            } catch {
                throw APIError(.contentTooLarge, "body_too_large", "The upload must be at most 64 MiB.")
            }
            let parts = Multipart.parse(Data(buffer: buffer), boundary: boundary)
            guard let csv = parts["candles"] else { throw APIError.invalid("The multipart body needs a candles file.") }
            var fields: [String: Any] = [:]
            for (name, value) in parts where name != "candles" { fields[name] = String(decoding: value, as: UTF8.self) }
            if let strategy = fields["strategy"] as? String, let data = strategy.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data)
            {
                fields["strategy"] = object
            }
            return try parse(fields: fields, csv: csv)
        }
        let body = try await JSONBody.read(request, user: user)
        return try parse(fields: body.fields, csv: nil)
    }

    static func parse(fields: [String: Any], csv: Data?) throws(APIError) -> BacktestRequest {
        func text(_ key: String) -> String? { (fields[key] as? String)?.trimmingCharacters(in: .whitespaces) }
        func number(_ key: String, _ fallback: Double) throws(APIError) -> Double {
            if let value = fields[key] as? NSNumber { return value.doubleValue }
            guard let raw = text(key), !raw.isEmpty else { return fallback }
            guard let value = Double(raw), value.isFinite else { throw APIError.invalid("\"\(key)\" must be a number.") }
            return value
        }
        let symbol = (text("symbol") ?? "").uppercased()
        guard !symbol.isEmpty, symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw APIError.invalid("\"symbol\" must be a symbol such as BTCUSDT.")
        }
        let interval = text("interval") ?? "1h"
        guard BotSettings.intervals.contains(interval) else {
            throw APIError.invalid("\"interval\" must be one of \(BotSettings.intervals.joined(separator: ", ")).")
        }
        func date(_ key: String) throws(APIError) -> Date? {
            guard let raw = text(key), !raw.isEmpty else { return nil }
            if let value = Timestamp.date(raw) { return value }
            if raw.count == 10, let value = Timestamp.date(raw + "T00:00:00Z") { return value }
            throw APIError.invalid("\"\(key)\" must be an ISO-8601 UTC time such as 2026-11-01T00:00:00Z or a date such as 2026-11-01.")
        }
        let start = try date("start")
        let end = try date("end")
        if let start, let end, start >= end { throw APIError.invalid("\"start\" must be before \"end\".") }
        var strategy = BotSettings.Strategy(name: "sma_cross", params: [:])
        let fee = try number("fee", 0.001)
        let cash = try number("cash", 10_000)
        guard (0..<0.5).contains(fee) else { throw APIError.invalid("\"fee\" must be a fraction from 0 to 0.5, such as 0.001.") }
        guard cash > 0 else { throw APIError.invalid("\"cash\" must be positive.") }
        // A grid or DCA bot: its own parameters, checked by the live bot's rules when it runs.
        let object = fields["strategy"] as? [String: Any]
        if let name = (object?["name"] as? String) ?? text("strategy"), BotParameters.names.contains(name) {
            let params = object?["params"] as? [String: Any]
            let known = Set(BotParameters.keys(of: name))
            if let unknown = params.map({ Set($0.keys).subtracting(known) }), let first = unknown.sorted().first {
                throw APIError.invalid("strategy.params.\(first) is not a \(name) parameter (\(known.sorted().joined(separator: ", "))).")
            }
            let bot: BotParameters
            do {
                bot = try BotParameters.parse(name: name, symbol: symbol, investment: Decimal.exactly(cash), purpose: "backtest") { key in
                    if let params { return (params[key] as? NSNumber).map { "\($0)" } ?? params[key] as? String }
                    return text(name + "_" + key)
                }
            } catch {
                throw APIError.invalid(error.description + ".")
            }
            return BacktestRequest(
                symbol: symbol, interval: interval, start: start, end: end, strategy: BotSettings.Strategy(name: name, params: [:]), fee: fee, cash: cash,
                csv: csv, bot: bot
            )
        }
        if let object = fields["strategy"] as? [String: Any] {
            strategy.name = object["name"] as? String ?? "sma_cross"
            for (key, value) in object["params"] as? [String: Any] ?? [:] {
                guard let number = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init) else {
                    throw APIError.invalid("strategy.params.\(key) must be a number.")
                }
                strategy.params[key] = number
            }
        } else if let name = text("strategy") {
            strategy.name = name
            if let fast = text("fast").flatMap(Double.init) { strategy.params["fast"] = fast }
            if let slow = text("slow").flatMap(Double.init) { strategy.params["slow"] = slow }
        }
        var check = BotSettings.defaults
        check.strategy = strategy
        do {
            try check.validate()
        } catch {
            throw APIError(.unprocessableContent, "invalid_strategy", error.description)
        }
        return BacktestRequest(symbol: symbol, interval: interval, start: start, end: end, strategy: strategy, fee: fee, cash: cash, csv: csv)
    }
}
