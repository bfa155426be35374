import Common
import Foundation

/// The bots' part of the OpenAPI document (CONTRACT §9): `/api/v1/bots…`, their schemas and
/// the body they take.
extension OpenAPIDocument {
    nonisolated(unsafe) static let botID: [String: Any] = ["name": "bot_id", "in": "path", "required": true, "schema": integer, "example": 1]

    /// What `POST`/`PUT /api/v1/bots…` take: `settings` for sma_cross and ml, `symbol` and
    /// `strategy.params` for grid and DCA.
    nonisolated(unsafe) static let botBody: [String: Any] = object(
        [
            "name": ["type": "string", "minLength": 1, "maxLength": 60], "mode": ["enum": BotDefinition.Mode.allCases.map(\.rawValue), "default": "live"],
            "allocation_usdt": ["type": ["string", "number"], "description": "The most USDT the bot may use. Default: what its parameters commit."],
            "paper_balances": [
                "description": "A paper bot's virtual balances at its start: {\"USDT\": \"1000\"} or [{\"asset\",\"amount\"}]. Default: its allocation in USDT.",
            ],
            "strategy": object([
                "name": ["enum": BotDefinition.strategies],
                "params": [
                    "type": "object",
                    "description": "sma_cross: fast, slow. ml: as /api/v1/settings. grid: lower, upper, levels, investment, spacing (arithmetic or geometric), stop_loss, take_profit (prices), trail (off or up: above the range, with every level sold, the range moves up by whole levels). dca: base_order (USDT), take_profit (percent), safety_orders, deviation, step_scale, volume_scale, trailing, stop_loss (percent), max_deals, start (immediately; sma_cross or ml: a deal on the strategy's buy signal; signal: a deal on the bot's signal hook's start_deal only), start_fast, start_slow.",
                ],
            ]),
            "settings": ref("Settings"), "symbol": ["type": "string", "description": "A grid's or DCA bot's symbol."],
        ], required: ["name"])

    nonisolated(unsafe) static let botExample: [String: Any] = [
        "name": "BTC grid", "mode": "paper", "symbol": "BTCUSDT",
        "strategy": ["name": "grid", "params": ["lower": "40000", "upper": "50000", "levels": 11, "investment": "1000"]],
    ]

    nonisolated(unsafe) static let botSchemas: [String: Any] = [
        "BotItem": object(
            [
                "bot_id": integer, "name": string, "mode": ["enum": BotDefinition.Mode.allCases.map(\.rawValue)],
                "is_first": ["type": "boolean", "description": "The bot the routes of /api/v1/bot and /api/v1/settings act on (the oldest)."],
                "strategy": object(["name": ["enum": BotDefinition.strategies], "params": ["type": "object"]], required: ["name", "params"]),
                "symbols": ["type": "array", "items": string], "symbol": string, "allocation_usdt": decimal,
                "paper_balances": ["type": "array", "items": object(["asset": string, "amount": decimal], required: ["asset", "amount"])],
                "settings": ref("Settings"),
                "state": ["enum": ["no_key", "stopped", "starting", "running", "stopping", "emergency_stopped", "error", "not_running"]], "state_reason": string,
                "open_positions": ["type": ["integer", "null"]], "open_positions_reason": string, "today_pnl_usdt": nullableDecimal,
                "today_pnl_usdt_reason": string, "stale_since": time, "created_at": time, "updated_at": time,
                "wanted": ["type": "boolean", "description": "A grid or DCA bot: started by its owner and not stopped since."],
                "run": ["oneOf": [ref("BotRun"), ["type": "null"]], "description": "A grid or DCA bot: what the worker last reported; null before its first report (run_reason)."],
                "run_reason": string,
            ],
            required: [
                "bot_id", "name", "mode", "is_first", "strategy", "symbols", "allocation_usdt", "paper_balances", "state", "open_positions", "today_pnl_usdt",
                "created_at", "updated_at",
            ]),
        "BotRun": object(
            [
                "mode": ["enum": BotDefinition.Mode.allCases.map(\.rawValue)], "symbol": string, "price": nullableDecimal, "cycles": integer,
                "grid_profit": nullableDecimal,
                "levels": ["type": "array", "items": decimal, "description": "A grid's level prices now (a trailing grid's after its moves up)."],
                "range_moves": ["type": "integer", "description": "How many times a trailing grid's range moved up."],
                "realised_pnl": decimal, "today_pnl": decimal, "unrealised_pnl": nullableDecimal, "held_quantity": decimal,
                "allocation_used": decimal,
                "open_orders": ["type": "array", "items": object(["side": string, "price": decimal, "quantity": decimal, "level": integer, "role": string], required: ["side", "price", "quantity"])],
                "fills": ["type": "array", "items": object(
                    ["time": time, "side": string, "price": decimal, "quantity": decimal, "fee_quote": decimal, "level": integer, "role": string],
                    required: ["time", "side", "price", "quantity", "fee_quote"])],
                "deals": ["type": "array", "items": object(
                    [
                        "number": integer, "phase": ["enum": ["open", "closed"]], "entry_price": nullableDecimal, "average_price": nullableDecimal,
                        "safety_orders_filled": integer, "safety_orders": integer, "take_profit_price": nullableDecimal, "held_quantity": decimal,
                        "pnl": nullableDecimal, "close_reason": string,
                    ], required: ["number", "phase", "safety_orders_filled", "safety_orders", "held_quantity"])],
                "paper_balances_now": ["type": "array", "items": object(["asset": string, "amount": decimal], required: ["asset", "amount"])],
                "reported_at": time,
            ],
            required: [
                "mode", "symbol", "price", "cycles", "grid_profit", "realised_pnl", "today_pnl", "unrealised_pnl", "held_quantity", "allocation_used", "open_orders",
                "fills", "deals", "paper_balances_now", "reported_at",
            ]),
        "BotList": object(["items": ["type": "array", "items": ref("BotItem")], "max_per_user": integer], required: ["items", "max_per_user"]),
    ]

    nonisolated(unsafe) static let botPaths: [String: Any] = [
        "/api/v1/bots": [
            "get": operation("The user's bots, the first (oldest) first.", tag: "bots", responses: ["200": json(ref("BotList"), "The bots.")]),
            "post": operation(
                "Create a bot (live or paper). The worker runs the user's first bot when it is a live sma_cross or ml bot, and every grid and DCA bot (live, or paper without a key) once started; other bots are stored, checked and shown as not_running with the reason.",
                tag: "bots",
                responses: [
                    "201": json(ref("BotItem"), "Created."), "422": error("A field is invalid (the message names it), or the exchange does not list the symbol."),
                    "409": error("The user has the most bots allowed (bot_limit_reached), or another bot has this name (name_taken)."),
                ],
                body: body(botBody, example: botExample), unsafe: true),
        ],
        "/api/v1/bots/{bot_id}": [
            "get": operation("One bot.", tag: "bots", responses: ["200": json(ref("BotItem"), "The bot."), "404": error("No such bot of this user.")], parameters: [botID]),
            "put": operation(
                "Replace a bot's definition (the first bot's settings reach a running worker at once).", tag: "bots",
                responses: [
                    "200": json(ref("BotItem"), "Changed."), "404": error("No such bot of this user."), "422": error("A field is invalid."),
                    "409": error("Another bot has this name, a running bot would become one that does not run, or a grid or DCA bot is started (stop it first)."),
                ],
                body: body(botBody, example: botExample), parameters: [botID], unsafe: true),
            "delete": operation(
                "Delete a stopped bot.", tag: "bots", responses: ["204": ["description": "Deleted."], "404": error("No such bot of this user."), "409": error("The bot is running.")],
                parameters: [botID], unsafe: true),
        ],
        "/api/v1/bots/{bot_id}/copy-live": [
            "post": operation(
                "Copy a paper bot as a new live bot with the same strategy, parameters and allocation.", tag: "bots",
                responses: [
                    "201": json(ref("BotItem"), "The live copy."), "404": error("No such bot."), "422": error("The name is invalid."),
                    "409": error("The bot is not a paper bot, the name is taken, or the user has the most bots allowed."),
                ],
                body: body(object(["name": string], required: []), example: ["name": "BTC grid (live)"], required: false), parameters: [botID], unsafe: true)
        ],
        "/api/v1/bots/{bot_id}/start": [
            "post": operation(
                "Start a bot. A grid or DCA bot is checked against the exchange by the worker and opens its orders; a refusal is its state error with the reason.", tag: "bots",
                responses: ["202": accepted, "404": error("No such bot."), "409": error("The bot does not run in this version, or it is live and no key is stored (no_key).")], parameters: [botID], unsafe: true)
        ],
        "/api/v1/bots/{bot_id}/stop": [
            "post": operation(
                "Stop a bot: the first bot's entries, or a grid or DCA bot's resting orders (cancelled); close_positions sells what it holds at market.", tag: "bots",
                responses: ["202": accepted, "404": error("No such bot."), "409": error("The bot does not run in this version.")],
                body: body(object(["close_positions": boolean]), example: ["close_positions": false], required: false), parameters: [botID], unsafe: true)
        ],
        "/api/v1/bots/{bot_id}/emergency-stop": [
            "post": operation(
                "The first bot: cancel every open order of the account, optionally sell, stay stopped. A grid or DCA bot: cancel its orders, keep its coins, stay stopped.", tag: "bots",
                responses: ["202": accepted, "404": error("No such bot."), "409": error("The bot does not run in this version.")], parameters: [botID], unsafe: true)
        ],
    ]
}
