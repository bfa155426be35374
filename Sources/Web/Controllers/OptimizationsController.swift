import Common
import Foundation
import Hummingbird

/// Optimisations (`/api/v1/optimizations`, the "Optimise" tab `/backtest/optimize`) and bias
/// checks (`POST /api/v1/bias-checks`, the button on `/backtest`): the worker's research code on
/// candles fetched from the exchange, as a backtest's are.
struct OptimizationsController {
    let backtests: BacktestController
    let runner: OptimizationRunner
    /// Threads an optimisation uses: every core, below the pages' priority.
    static let parallel = Parallel(threads: ProcessInfo.processInfo.activeProcessorCount, niceness: 10)

    func register(on routes: WebRoutes) {
        routes.api.post("optimizations") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            let record = try await start(body.fields, user: context.user.id)
            var response = Reply.json(.accepted, OptimizationResponse(record, progress: runner.progress(record.id)))
            response.headers[.location] = "/api/v1/optimizations/\(record.id)"
            return response
        }
        routes.api.get("optimizations") { _, context -> Response in
            let records = try list(context.user.id)
            return Reply.json(.ok, OptimizationListResponse(optimizations: records.map { OptimizationResponse($0, progress: runner.progress($0.id)) }))
        }
        routes.api.get("optimizations/:optimization_id") { _, context -> Response in
            let record = try find(context.parameters.get("optimization_id") ?? "", user: context.user.id)
            return Reply.json(.ok, OptimizationResponse(record, progress: runner.progress(record.id), withReport: true))
        }
        routes.api.post("optimizations/:optimization_id/cancel") { _, context -> Response in
            let id = context.parameters.get("optimization_id") ?? ""
            let record = try find(id, user: context.user.id)
            guard runner.cancel(id, user: context.user.id) else {
                throw APIError(.conflict, "not_running", "The optimisation is \(record.status.rawValue), not running.")
            }
            return Reply.json(.accepted, OptimizationResponse(record, progress: runner.progress(id)))
        }
        routes.api.post("bias-checks") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            return Reply.json(.ok, try await biasCheck(body.fields))
        }
    }

    func list(_ user: UserID) throws(APIError) -> [OptimizationRecord] {
        do {
            return try runner.store.list(user: user, limit: 50)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The optimisations cannot be read: \(error).")
        }
    }

    func find(_ id: String, user: UserID) throws(APIError) -> OptimizationRecord {
        let found: OptimizationRecord?
        do {
            found = try runner.store.get(user: user, id: id)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The optimisation cannot be read: \(error).")
        }
        guard let found else { throw APIError.notFound("No optimisation \(id).") }
        return found
    }

    /// The study a form or JSON body asks for, on the candles of its period.
    func prepare(_ fields: [String: Any]) async throws(APIError) -> (StudyRequest, Study, [StrategyCandle], BacktestRequest) {
        var sourceFields = fields.filter { ["symbol", "interval", "start", "end", "fee", "cash"].contains($0.key) }
        sourceFields["strategy"] = nil
        let source = try BacktestRequest.parse(fields: sourceFields, csv: nil)
        let request = try OptimizationForm.read(fields, fee: source.fee, cash: source.cash)
        let filters = ["grid", "dca"].contains(request.strategy) ? try await backtests.catalog.filters(source.symbol) : nil
        if ["grid", "dca"].contains(request.strategy), filters == nil {
            throw APIError(.unprocessableContent, "unknown_symbol", "The exchange does not list \(source.symbol).")
        }
        let candles = try await backtests.fetch(source)
        let study: Study
        do {
            study = try request.study(symbol: source.symbol, filters: filters, intervalMillis: candles[0].closeTime + 1 - candles[0].openTime, parallel: Self.parallel)
        } catch {
            throw APIError(.unprocessableContent, "invalid_optimization", error.description)
        }
        return (request, study, candles, source)
    }

    func start(_ fields: [String: Any], user: UserID) async throws(APIError) -> OptimizationRecord {
        let (request, study, candles, source) = try await prepare(fields)
        let id = OptimizationForm.newID()
        let control = try runner.reserve(id, user: user)
        var asked = OptimizationForm.json(request)
        asked["symbol"] = source.symbol
        asked["interval"] = source.interval
        asked["candles"] = candles.count
        let text = (try? JSONSerialization.data(withJSONObject: asked, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let record = OptimizationRecord(
            id: id, user: user, createdAt: Date(), strategy: request.strategy, symbol: source.symbol, runner: runner.name, request: text)
        do {
            try runner.start(record, study: study, candles: candles, control: control)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The optimisation cannot be recorded: \(error).")
        }
        return record
    }

    /// A bias check of the strategy and parameters the fields name (the backtest form's, or
    /// the API's `strategy` and `params`), on the candles of the period.
    func biasCheck(_ fields: [String: Any]) async throws(APIError) -> BiasReport {
        let source = try BacktestRequest.parse(fields: fields, csv: nil)
        var fixed: [String: String] = [:]
        let name: String
        if let bot = source.bot {
            name = source.strategy.name
            fixed = bot.texts
        } else {
            name = source.strategy.name
            for (key, value) in source.strategy.params { fixed[key] = ParameterSetText.plain(value) }
        }
        let filters = source.bot == nil ? nil : try await backtests.catalog.filters(source.symbol)
        let candles = try await backtests.fetch(source)
        guard candles.count <= Self.maxBiasCandles else {
            throw APIError(.unprocessableContent, "too_many_candles", "A bias check reads at most \(Self.maxBiasCandles) candles; the period has \(candles.count): choose a shorter one.")
        }
        let cuts = (fields["cuts"] as? NSNumber)?.intValue ?? (fields["cuts"] as? String).flatMap { Int($0) } ?? 20
        guard (1...50).contains(cuts) else { throw APIError.invalid("\"cuts\" must be a whole number from 1 to 50.") }
        let context = ResearchContext(symbol: source.symbol, fee: source.fee, cash: source.cash, filters: filters, fixed: fixed)
        let check: BiasCheck
        do {
            check = try BiasCheck.named(name, set: [:], context: context)
        } catch {
            throw APIError(.unprocessableContent, "invalid_bias_check", error.description)
        }
        // Off the request threads, within a time budget.
        let control = OptimizationControl()
        let timer = Task {
            try await Task.sleep(for: Self.biasBudget)
            control.cancel()
        }
        defer { timer.cancel() }
        let outcome: Result<BiasReport, ResearchError> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result { () throws(ResearchError) in try check.run(candles, cuts: cuts, parallel: Self.parallel, control: control) })
            }.start()
        }
        switch outcome {
        case .success(let report): return report
        case .failure where control.isCancelled:
            throw APIError(.unprocessableContent, "too_slow", "The bias check took longer than \(Self.biasBudget): choose a shorter period or fewer cuts.")
        case .failure(let error): throw APIError(.unprocessableContent, "invalid_bias_check", error.description)
        }
    }

    /// A bias check answers within this (it runs while the request waits).
    static let biasBudget = Duration.seconds(15)
    static let maxBiasCandles = 5_000
}

/// A parameter's value as typed (whole numbers without a fraction).
enum ParameterSetText {
    static func plain(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value) }

    static func text(_ set: [String: Double]) -> String { set.sorted { $0.key < $1.key }.map { "\($0.key)=\(plain($0.value))" }.joined(separator: ", ") }
}

/// An optimisation's fields (the API's JSON, the page's form) read into a ``StudyRequest``.
enum OptimizationForm {
    static func read(_ fields: [String: Any], fee: Double, cash: Double) throws(APIError) -> StudyRequest {
        func text(_ key: String) -> String? {
            ((fields[key] as? String) ?? (fields[key] as? NSNumber).map { "\($0)" })?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func whole(_ key: String, _ fallback: Int) throws(APIError) -> Int {
            guard let raw = text(key), !raw.isEmpty else { return fallback }
            guard let value = Int(raw) else { throw APIError.invalid("\"\(key)\" must be a whole number.") }
            return value
        }
        /// `{"k": "v"}`, `["k=v", …]` or lines of `k=v`.
        func pairs(_ key: String, separator: Character) throws(APIError) -> [String] {
            if let object = fields[key] as? [String: Any] {
                return object.keys.sorted().map { "\($0)\(separator)\((object[$0] as? String) ?? (object[$0] as? NSNumber).map { "\($0)" } ?? "")" }
            }
            if let list = fields[key] as? [Any] { return list.map { "\($0)" } }
            guard fields[key] == nil || fields[key] is String else { throw APIError.invalid("\"\(key)\" must be an object, a list or lines of name=value.") }
            return (text(key) ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let strategy = text("strategy"), !strategy.isEmpty else { throw APIError.invalid("\"strategy\" is needed: sma_cross, ml, grid or dca.") }
        var request = StudyRequest(strategy: strategy, space: try pairs("space", separator: "="), objective: text("objective") ?? "sharpe")
        request.minTrades = try whole("min_trades", 1)
        request.trials = try whole("trials", 200)
        let seed = try whole("seed", 1)
        guard seed >= 0 else { throw APIError.invalid("\"seed\" must be 0 or more.") }
        request.seed = UInt64(seed)
        if let walk = text("walk_forward"), !walk.isEmpty { request.walkForward = walk }
        for pair in try pairs("params", separator: "=") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw APIError.invalid("\"params\": \(pair) is not name=value.") }
            request.fixed[parts[0]] = parts[1]
        }
        request.fee = fee
        request.cash = cash
        return request
    }

    static func json(_ r: StudyRequest) -> [String: Any] {
        var object: [String: Any] = [
            "strategy": r.strategy, "space": r.space, "objective": r.objective, "min_trades": r.minTrades, "trials": r.trials, "seed": r.seed,
            "params": r.fixed, "fee": r.fee, "cash": r.cash,
        ]
        if let walk = r.walkForward { object["walk_forward"] = walk }
        return object
    }

    /// 128 random bits as hex.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension OptimizationsController {
    /// The "Optimise" tab and the bias check's button on `/backtest`.
    func registerPages(on routes: WebRoutes) {
        routes.pages.get("/backtest/optimize") { _, context -> Response in
            Reply.html(OptimizePage.form(viewer: context.viewer, form: [:], list: (try? list(context.user.id)) ?? [], error: nil))
        }
        routes.pages.post("/backtest/optimize") { _, context -> Response in
            let fields = context.form.fields
            do throws(APIError) {
                let record = try await start(fields, user: context.user.id)
                return Reply.redirect("/backtest/optimize/\(record.id)")
            } catch {
                let page = OptimizePage.form(viewer: context.viewer, form: fields, list: (try? list(context.user.id)) ?? [], error: error.pageMessage)
                return Reply.html(page, status: error.status)
            }
        }
        routes.pages.get("/backtest/optimize/:optimization_id") { _, context -> Response in
            let record = try find(context.parameters.get("optimization_id") ?? "", user: context.user.id)
            return Reply.html(OptimizePage.detail(viewer: context.viewer, record: record, progress: runner.progress(record.id)))
        }
        routes.pages.post("/backtest/optimize/:optimization_id/cancel") { _, context -> Response in
            let id = context.parameters.get("optimization_id") ?? ""
            _ = try find(id, user: context.user.id)
            _ = runner.cancel(id, user: context.user.id)
            return Reply.redirect("/backtest/optimize/\(id)")
        }
        routes.pages.post("/backtest/bias-check") { _, context -> Response in
            let form = context.form
            do throws(APIError) {
                let report = try await biasCheck(form.fields)
                return Reply.html(BacktestPage.render(viewer: context.viewer, form: form.fields, result: nil, error: nil, bias: report))
            } catch {
                return Reply.html(BacktestPage.render(viewer: context.viewer, form: form.fields, result: nil, error: error.pageMessage), status: error.status)
            }
        }
    }
}
