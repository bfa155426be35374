import Common
import Foundation
import Hummingbird

/// `POST /api/v1/backtests` and the `/backtest` page: the worker's backtester (one strategy
/// path with live trading) on candles fetched from the exchange (paged klines) or an uploaded
/// Binance kline CSV.
struct BacktestController {
    let catalog: ExchangeCatalog
    /// At most this many candles per backtest (paged 1000 at a time from the exchange).
    static let maxCandles = 100_000

    struct Request {
        var symbol: String
        var interval: String
        var start: Date?
        var end: Date?
        var strategy: BotSettings.Strategy
        var fee: Double
        var cash: Double
        var csv: Data?
    }

    func register(on router: Router<WebContext>) {
        router.post("/api/v1/backtests") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let parsed = try await Self.parse(request, user: user.id)
            let (result, hold) = try await run(parsed)
            var object = result.json
            object["symbol"] = parsed.symbol
            object["candles"] = result.equity.count
            object["buy_and_hold_equity"] = hold
            return Reply.json(.ok, object)
        }
        router.get("/backtest") { request, context -> Response in
            guard let viewer = PagesController.viewer(context) else { return PagesController.toLogin(request) }
            return Reply.html(BacktestPage.render(viewer: viewer, form: [:], result: nil, error: nil))
        }
        router.post("/backtest") { request, context -> Response in
            guard let viewer = PagesController.viewer(context), let session = context.session else { return PagesController.toLogin(request) }
            let form = await FormBody.read(request)
            guard PagesController.csrfMatches(form, session) else { return Reply.html(AccountPages.formExpired(viewer: viewer), status: .forbidden) }
            do throws(APIError) {
                let parsed = try Self.parse(fields: form.fields, csv: nil)
                let (result, hold) = try await run(parsed)
                return Reply.html(BacktestPage.render(viewer: viewer, form: form.fields, result: (parsed, result, hold), error: nil))
            } catch {
                return Reply.html(BacktestPage.render(viewer: viewer, form: form.fields, result: nil, error: error.pageMessage), status: error.status)
            }
        }
    }

    func run(_ r: Request) async throws(APIError) -> (Backtest.Result, [Double]) {
        let candles: [StrategyCandle]
        if let csv = r.csv {
            do {
                candles = try KlineCSV.parse(csv)
            } catch {
                throw APIError(.unprocessableContent, "invalid_candles", "The candles file: \(error).")
            }
        } else {
            candles = try await fetch(r)
        }
        guard candles.count <= Self.maxCandles else { throw APIError(.unprocessableContent, "too_many_candles", "At most \(Self.maxCandles) candles per backtest.") }
        let backtest = Backtest(fee: r.fee, cash: r.cash)
        let hold = backtest.buyAndHold(candles)
        switch r.strategy.name {
        case "ml":
            var params = r.strategy.params
            if params["fee"] == nil { params["fee"] = r.fee }
            do {
                return (backtest.run(candles, strategy: MLStrategy(settings: try MLStrategy.Settings(params: params))), hold)
            } catch {
                throw APIError(.unprocessableContent, "invalid_strategy", "\(error)")
            }
        default:
            return (backtest.run(candles, strategy: SMACross(fast: Int(r.strategy.params["fast"] ?? 9), slow: Int(r.strategy.params["slow"] ?? 21))), hold)
        }
    }

    /// Candles from the exchange's public klines, 1000 a page.
    func fetch(_ r: Request) async throws(APIError) -> [StrategyCandle] {
        let client = try catalog.publicClient()
        var candles: [StrategyCandle] = []
        var from = Int64((r.start ?? Date().addingTimeInterval(-86_400)).timeIntervalSince1970 * 1000)
        let until = Int64((r.end ?? Date()).timeIntervalSince1970 * 1000)
        while from < until, candles.count < Self.maxCandles {
            let page: [Kline]
            do {
                page = try await client.klines(symbol: r.symbol, interval: r.interval, limit: 1000, startTime: from)
            } catch {
                if case .rejected(_, let message) = error { throw APIError(.unprocessableContent, "invalid_request", "The exchange refused: \(message)") }
                throw ExchangeCatalog.apiError(error, "the backtest")
            }
            let usable = page.filter { $0.openTime >= from && $0.closeTime <= until }
            candles += usable.map(StrategyCandle.init)
            guard let last = page.last, last.openTime >= from, page.count == 1000 else { break }
            from = last.openTime + 1
        }
        guard !candles.isEmpty else { throw APIError(.unprocessableContent, "no_candles", "The exchange has no closed \(r.interval) candles of \(r.symbol) in that period.") }
        return candles
    }

    static func parse(_ request: Hummingbird.Request, user: UserID) async throws(APIError) -> Request {
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = type.components(separatedBy: "boundary=").last?.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")), !boundary.isEmpty else {
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
            if let strategy = fields["strategy"] as? String, let data = strategy.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) {
                fields["strategy"] = object
            }
            return try parse(fields: fields, csv: csv)
        }
        let body = try await JSONBody.read(request, user: user)
        return try parse(fields: body.fields, csv: nil)
    }

    static func parse(fields: [String: Any], csv: Data?) throws(APIError) -> Request {
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
        guard BotSettings.intervals.contains(interval) else { throw APIError.invalid("\"interval\" must be one of \(BotSettings.intervals.joined(separator: ", ")).") }
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
        let fee = try number("fee", 0.001)
        let cash = try number("cash", 10_000)
        guard (0..<0.5).contains(fee) else { throw APIError.invalid("\"fee\" must be a fraction from 0 to 0.5, such as 0.001.") }
        guard cash > 0 else { throw APIError.invalid("\"cash\" must be positive.") }
        return Request(symbol: symbol, interval: interval, start: start, end: end, strategy: strategy, fee: fee, cash: cash, csv: csv)
    }
}

/// A minimal `multipart/form-data` reader: part name → bytes.
enum Multipart {
    static func parse(_ body: Data, boundary: String) -> [String: Data] {
        let delimiter = Data(("--" + boundary).utf8)
        var parts: [String: Data] = [:]
        var searchStart = body.startIndex
        var chunks: [Range<Data.Index>] = []
        while let range = body.range(of: delimiter, in: searchStart..<body.endIndex) {
            chunks.append(range)
            searchStart = range.upperBound
        }
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            var part = body[a.upperBound..<b.lowerBound]
            if part.starts(with: Data("\r\n".utf8)) { part = part.dropFirst(2) }
            if part.suffix(2) == Data("\r\n".utf8) { part = part.dropLast(2) }
            guard let split = part.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
            guard let nameRange = headers.range(of: "name=\"") else { continue }
            let name = String(headers[nameRange.upperBound...].prefix { $0 != "\"" })
            parts[name] = Data(part[split.upperBound...])
        }
        return parts
    }
}

