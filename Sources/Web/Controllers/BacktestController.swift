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

    /// The form of a backtest, read from the API's JSON or multipart body or from the page's form.
    typealias Request = BacktestRequest

    func register(on routes: WebRoutes) {
        routes.api.post("backtests") { request, context -> Response in
            let parsed = try await BacktestRequest.parse(request, user: context.user.id)
            let outcome = try await run(parsed)
            return Reply.json(.ok, BacktestResponse(outcome, symbol: parsed.symbol, strategy: parsed.strategy.name))
        }
        routes.pages.get("/backtest") { _, context -> Response in
            Reply.html(BacktestPage.render(viewer: context.viewer, form: [:], result: nil, error: nil))
        }
        routes.pages.post("/backtest") { _, context -> Response in
            let viewer = context.viewer
            let form = context.form
            do throws(APIError) {
                let parsed = try BacktestRequest.parse(fields: form.fields, csv: nil)
                let outcome = try await run(parsed)
                return Reply.html(BacktestPage.render(viewer: viewer, form: form.fields, result: (parsed, outcome), error: nil))
            } catch {
                return Reply.html(BacktestPage.render(viewer: viewer, form: form.fields, result: nil, error: error.pageMessage), status: error.status)
            }
        }
    }

    /// A backtest's result, and a grid's or DCA bot's own when it was one.
    struct Outcome {
        let result: Backtest.Result
        let buyAndHold: [Double]
        var grid: GridBacktest.Result?
        var dca: DCABacktest.Result?
    }

    func run(_ r: Request) async throws(APIError) -> Outcome {
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
        if let bot = r.bot { return try await run(bot, r, candles) }
        let backtest = Backtest(fee: r.fee, cash: r.cash)
        let hold = backtest.buyAndHold(candles)
        switch r.strategy.name {
        case "ml":
            var params = r.strategy.params
            if params["fee"] == nil { params["fee"] = r.fee }
            do {
                return Outcome(result: backtest.run(candles, strategy: MLStrategy(settings: try MLStrategy.Settings(params: params))), buyAndHold: hold)
            } catch {
                throw APIError(.unprocessableContent, "invalid_strategy", "\(error)")
            }
        default:
            let sma = SMACross(fast: Int(r.strategy.params["fast"] ?? 9), slow: Int(r.strategy.params["slow"] ?? 21))
            return Outcome(result: backtest.run(candles, strategy: sma), buyAndHold: hold)
        }
    }

    /// A grid or DCA bot on the candles, refused (422) with the live bot's reasons on the
    /// symbol's filters, the first candle's open as the price.
    func run(_ bot: BotParameters, _ r: Request, _ candles: [StrategyCandle]) async throws(APIError) -> Outcome {
        guard let filters = try await catalog.filters(r.symbol) else {
            throw APIError(.unprocessableContent, "unknown_symbol", "The exchange does not list \(r.symbol).")
        }
        let fee = Decimal.exactly(r.fee)
        let price = Decimal.exactly(candles[0].open)
        switch bot {
        case .signal:
            throw APIError(.unprocessableContent, "invalid_strategy", "A signal bot trades on its hook's signals, which a backtest does not have.")
        case .grid(let parameters):
            switch GridPlan.make(parameters, filters: filters, price: price, makerFee: fee, freeQuote: parameters.investment, allocation: nil) {
            case .failure(let refused):
                throw APIError(.unprocessableContent, "invalid_strategy", "The grid cannot start: \(refused).")
            case .success(let plan):
                let result = GridBacktest(fee: fee).run(plan: plan, candles: candles, filters: filters)
                let cash = NSDecimalNumber(decimal: parameters.investment).doubleValue
                return Outcome(result: result.summary, buyAndHold: Backtest(fee: r.fee, cash: cash).buyAndHold(candles), grid: result)
            }
        case .dca(let parameters):
            let plan = DCAPlan(parameters)
            let budget = plan.budget
            let refusals = plan.refusals(filters: filters, price: price, makerFee: fee, takerFee: fee, freeQuote: budget, allocation: nil)
            guard refusals.isEmpty else {
                throw APIError(.unprocessableContent, "invalid_strategy", "The DCA bot cannot start: \(refusals.map(\.description).joined(separator: "; ")).")
            }
            let result = DCABacktest(fee: fee).run(plan: plan, filters: filters, candles: candles)
            let cash = NSDecimalNumber(decimal: budget).doubleValue
            return Outcome(result: result.summary, buyAndHold: Backtest(fee: r.fee, cash: cash).buyAndHold(candles), dca: result)
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
}
