import Foundation

/// Optimisations and bias checks in the OpenAPI document (CONTRACT §9, issue 20):
/// `/api/v1/optimizations…`, `POST /api/v1/bias-checks`.
extension OpenAPIDocument {
    nonisolated(unsafe) static let optimizationItem: [String: Any] = object(
        [
            "id": string, "status": ["type": "string", "enum": ["running", "done", "failed", "cancelled", "interrupted"]], "strategy": string, "symbol": string,
            "created_at": time, "finished_at": nullableTime,
            "progress": [
                "type": ["object", "null"], "description": "While it runs: backtests done of total, the phase, the best set so far (of the current round) and its objective.",
            ],
            "error": nullableString, "request": ["type": "string", "description": "The request as asked, JSON."],
            "report": [
                "type": ["object", "null"],
                "description": "When done (GET of one only): strategy, symbol, objective, method (exhaustive, random, random+halving), seed, trials, min_trades, fixed, space, candles, from, until, backtests, candle_evaluations, rungs, best, table (at most 100 rows: parameters, figures, refused), walk_forward (train, test, steps, windows with in_sample and out_of_sample figures side by side and collapsed, overfitting_warning, efficiency, stitched equity beside buy_and_hold), heatmap (two searched parameters: x, y, span, xs, ys, values), notes.",
            ],
        ], required: ["id", "status", "strategy", "symbol", "created_at", "finished_at", "progress", "error", "request", "report"])

    nonisolated(unsafe) static let optimizationID: [String: Any] = ["name": "optimization_id", "in": "path", "required": true, "schema": string, "example": "unknown"]

    nonisolated(unsafe) static let researchPaths: [String: Any] = [
        "/api/v1/optimizations": [
            "get": operation(
                "The user's optimisations, newest first (at most 50; without their reports).", tag: "backtests",
                responses: ["200": json(object(["optimizations": ["type": "array", "items": optimizationItem]]), "The optimisations.")]),
            "post": operation(
                "Start an optimisation in the background on exchange candles: a strategy (sma_cross, ml, grid, dca), its searched parameters (space: name → lo:hi[:step], within the strategy's bounds and constraints), an objective (sharpe, sortino, calmar, total_return, profit_factor), optional min_trades, walk_forward (train:test:steps in candles or durations such as 60d:15d:4), trials (sets tried when the space is larger), seed, fixed params, fee and cash. Every combination of a small space; otherwise seeded random sets with successive halving. One at a time per user.",
                tag: "backtests",
                responses: [
                    "202": json(optimizationItem, "Started; follow Location."), "400": error("A field is malformed."),
                    "422": error("The space, objective, walk-forward or period cannot be used (invalid_optimization, no_candles, unknown_symbol), named in the message."),
                    "409": error("The user has an optimisation running (optimization_running)."),
                    "503": error("As many optimisations as the server runs at once are running (busy): try again after Retry-After seconds."),
                    "429": error("The exchange asks this server to wait: try again after Retry-After seconds."),
                ],
                body: body(
                    object(
                        [
                            "symbol": string, "interval": string, "start": time, "end": time, "strategy": ["enum": ["sma_cross", "ml", "grid", "dca"]],
                            "space": ["type": ["object", "array"], "description": "name → \"lo:hi\" or \"lo:hi:step\" (or a list of \"name=lo:hi[:step]\")."],
                            "objective": ["enum": ["sharpe", "sortino", "calmar", "total_return", "profit_factor"]], "min_trades": integer, "walk_forward": string,
                            "trials": ["type": "integer", "minimum": 1, "maximum": 5_000], "seed": ["type": "integer", "minimum": 0],
                            "params": ["type": "object", "description": "Fixed parameters, name → value (a grid's levels, a DCA bot's base_order …)."],
                            "fee": number, "cash": number,
                        ], required: ["symbol", "strategy", "space"]),
                    example: ["symbol": "BTCUSDT", "interval": "5m", "strategy": "sma_cross", "space": ["fast": "2:4", "slow": "10:12"], "objective": "total_return", "min_trades": 0]),
                unsafe: true),
        ],
        "/api/v1/optimizations/{optimization_id}": [
            "get": operation(
                "One of the user's optimisations: its progress while it runs, its report when done.", tag: "backtests",
                responses: ["200": json(optimizationItem, "The optimisation."), "404": error("No such optimisation of this user.")], parameters: [optimizationID])
        ],
        "/api/v1/optimizations/{optimization_id}/cancel": [
            "post": operation(
                "Cancel a running optimisation: it stops between two backtests and is kept as cancelled.", tag: "backtests",
                responses: [
                    "202": json(optimizationItem, "Cancelling."), "404": error("No such optimisation of this user."),
                    "409": error("It is not running (not_running)."),
                ], parameters: [optimizationID], unsafe: true)
        ],
        "/api/v1/bias-checks": [
            "post": operation(
                "Check a strategy for lookahead bias (a signal or feature on candle t that changes when the candles after t are removed) and recursive bias (an indicator that, past the stated warm-up, depends on how much history came before), on at most 5,000 exchange candles, within 15 seconds. The body is a backtest's (symbol, interval, start, end, strategy with name and params, fee, cash) and cuts (1–50).",
                tag: "backtests",
                responses: [
                    "200": json(
                        object(
                            [
                                "strategy": string, "candles": integer, "checked": ["type": "array", "items": string], "cuts": ["type": "array", "items": integer],
                                "starts": ["type": "array", "items": integer], "warm_up": integer,
                                "lookahead": ["type": "array", "items": ["type": "object"]], "recursive": ["type": "array", "items": ["type": "object"]],
                                "recursive_note": nullableString, "passed": boolean,
                            ]), "The report: passed, or each finding with its kind, candle, time, feature, the full run's value and the copy's."),
                    "400": error("A field is malformed."),
                    "422": error("The strategy, its parameters or the period cannot be checked (invalid_bias_check, too_many_candles, too_slow, no_candles), named in the message."),
                    "429": error("The exchange asks this server to wait: try again after Retry-After seconds."),
                ],
                body: body(
                    object(["symbol": string, "interval": string, "start": time, "end": time, "strategy": ["type": "object"], "fee": number, "cash": number, "cuts": integer], required: ["symbol"]),
                    example: ["symbol": "BTCUSDT", "interval": "5m", "strategy": ["name": "sma_cross", "params": ["fast": 5, "slow": 20]], "cuts": 10]),
                unsafe: true)
        ],
    ]
}
