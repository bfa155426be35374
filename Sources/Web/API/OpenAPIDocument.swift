import Common
import Foundation

/// The OpenAPI 3.1 document of the JSON API (CONTRACT §6), served at `/api/v1/openapi.json`.
/// A test calls every operation it lists and checks the answer against it; a unit test
/// (`OpenAPIContractTests`) checks every answer type against its schema.
/// (The constants are immutable dictionaries built once; `nonisolated(unsafe)` because `Any` is
/// not `Sendable`.)
enum OpenAPIDocument {
    static let json: String = {
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }()

    // MARK: - Schema helpers

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    nonisolated(unsafe) static let string: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let nullableString: [String: Any] = ["type": ["string", "null"]]
    /// Amounts are decimal strings.
    nonisolated(unsafe) static let decimal: [String: Any] = ["type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"]
    nonisolated(unsafe) static let nullableDecimal: [String: Any] = ["type": ["string", "null"], "pattern": "^-?[0-9]+(\\.[0-9]+)?$"]
    nonisolated(unsafe) static let time: [String: Any] = ["type": "string", "format": "date-time"]
    nonisolated(unsafe) static let nullableTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let number: [String: Any] = ["type": "number"]
    nonisolated(unsafe) static let boolean: [String: Any] = ["type": "boolean"]

    static func object(_ properties: [String: Any], required: [String]? = nil) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required ?? Array(properties.keys).sorted()]
    }

    static func list(_ item: String) -> [String: Any] {
        object(["items": ["type": "array", "items": ref(item)], "next_before": nullableTime])
    }

    static func json(_ schema: [String: Any], _ description: String) -> [String: Any] {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    static func error(_ description: String) -> [String: Any] { json(ref("Error"), description) }

    static func body(_ schema: [String: Any], example: [String: Any], required: Bool = true) -> [String: Any] {
        ["required": required, "content": ["application/json": ["schema": schema, "example": example]]]
    }

    /// An operation behind the session cookie; state-changing ones also need `X-CSRF-Token`.
    static func operation(
        _ summary: String, tag: String, responses: [String: Any], body: [String: Any]? = nil, parameters: [[String: Any]] = [], session: Bool = true,
        unsafe: Bool = false
    ) -> [String: Any] {
        var responses = responses
        var parameters = parameters
        if session { responses["401"] = error("Not signed in.") }
        if unsafe && session {
            responses["403"] = error("The X-CSRF-Token header is missing or wrong.")
            parameters.append(["$ref": "#/components/parameters/csrf"])
        }
        if body != nil { responses["400"] = error("The body is not the JSON described.") }
        responses["503"] = error("A dependency (the central database, the supervisor or the exchange) is down.")
        var op: [String: Any] = ["summary": summary, "tags": [tag], "responses": responses, "security": session ? [["session": []], ["token": []]] : []]
        if let body { op["requestBody"] = body }
        if !parameters.isEmpty { op["parameters"] = parameters }
        return op
    }

    nonisolated(unsafe) static let listParameters: [[String: Any]] = [
        ["$ref": "#/components/parameters/limit"], ["$ref": "#/components/parameters/before"], ["$ref": "#/components/parameters/symbol"],
        ["$ref": "#/components/parameters/bot_id"],
    ]

    static func listOperation(_ summary: String, _ item: String) -> [String: Any] {
        operation(
            summary, tag: "trading",
            responses: [
                "200": json(list(item), "The user's own rows, newest first."), "400": error("A bad query parameter."),
                "404": error("bot_id names no bot of this user."),
            ], parameters: listParameters)
    }

    nonisolated(unsafe) static let accepted = json(object(["command_id": ["type": ["integer", "null"]], "delivered": boolean]), "Recorded; the worker acts within a second.")

    /// `POST /api/v1/orders`: a manual order, checked against the symbol's filters at its last price.
    nonisolated(unsafe) static let placeOrder = operation(
        "Place a manual order (market or limit; a buy may carry a take-profit and a stop-loss, which rest on the exchange as one OCO once it fills). "
            + "Checked against the symbol's filters (PRICE_FILTER, LOT_SIZE, NOTIONAL) at its last price, then handed to the user's bot, which places it "
            + "under client_order_id u<user_id>-<symbol>-<request_id>-M (at most 36 characters): the same request_id never places twice. "
            + "Amounts are decimal strings (JSON numbers are accepted too).",
        tag: "trading",
        responses: [
            "202": json(
                object([
                    "command_id": ["type": ["integer", "null"]], "delivered": boolean, "client_order_id": string, "request_id": string,
                ]), "Checked and handed to the bot, which places it on the exchange within a second (when it runs; otherwise at its start)."),
            "409": error("No key is stored (no_key)."),
            "422": error(
                "The order breaks a rule: the message names the field and the exchange's filter (invalid_order), e.g. \"quantity: Filter failure: LOT_SIZE (…)\"."
            ),
            "429": error("The exchange asks this server to wait (its request limit for the address, or our share of it): try again after Retry-After seconds."),
        ],
        body: body(
            object(
                [
                    "symbol": ["type": "string", "pattern": "^[A-Z0-9]{1,20}$"], "side": ["enum": ["BUY", "SELL"]], "type": ["enum": ["market", "limit"]],
                    "quantity": decimal, "quote_quantity": decimal, "price": decimal, "time_in_force": ["enum": ["GTC", "IOC", "FOK"]],
                    "take_profit": decimal, "stop_loss": decimal,
                    "request_id": ["type": "string", "pattern": "^[A-Za-z0-9]{1,16}$", "description": "Optional; 12 random characters when absent."],
                ], required: ["symbol", "side", "type"]),
            example: ["symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": "0.001", "price": "10000.00", "request_id": "docExample1"]),
        unsafe: true)

    // MARK: - Schemas

    nonisolated(unsafe) static let schemas: [String: Any] = [
        "Error": object(["error": object(["code": string, "message": string])]),
        "Fill": object([
            "bot_id": ["type": ["integer", "null"], "description": "The bot the row belongs to; null for rows from before bots."], "trade_id": integer, "order_id": integer, "client_order_id": string, "symbol": string, "side": ["enum": ["BUY", "SELL"]], "price": decimal,
            "qty": decimal, "quote_qty": decimal, "commission": decimal, "commission_asset": string, "time": time,
        ]),
        "Order": object(
            [
                "bot_id": ["type": ["integer", "null"], "description": "The bot the row belongs to; null for rows from before bots."], "order_id": ["type": ["integer", "null"]], "client_order_id": string, "symbol": string, "side": ["enum": ["BUY", "SELL"]], "type": string,
                "status": ["enum": OrderStatus.allCases.map(\.rawValue)], "price": nullableDecimal, "orig_qty": decimal, "executed_qty": decimal,
                "created_at": time, "updated_at": time, "reason": nullableString,
                "order_list_id": ["type": ["integer", "null"], "description": "The exchange's order list (an OCO's two legs share it)."],
                "stop_price": ["type": ["string", "null"], "description": "A conditional order's trigger price."],
            ], required: ["order_id", "client_order_id", "symbol", "side", "type", "status", "orig_qty", "executed_qty", "created_at", "updated_at"]),
        "Position": object(
            [
                "bot_id": ["type": ["integer", "null"], "description": "The bot the row belongs to; null for rows from before bots."], "symbol": string, "qty": decimal, "avg_entry_price": nullableDecimal, "current_price": nullableDecimal, "unrealized_pnl_usdt": nullableDecimal,
                "realized_pnl_usdt": nullableDecimal, "stop_loss": nullableDecimal, "take_profit": nullableDecimal,
                "dust": ["type": "boolean", "description": "Held, but below the lot size or the minimum order value: not a position to trade."],
            ], required: ["symbol", "qty", "avg_entry_price", "current_price", "unrealized_pnl_usdt", "realized_pnl_usdt"]),
        "Signal": object(
            [
                "bot_id": ["type": ["integer", "null"], "description": "The bot the row belongs to; null for rows from before bots."], "symbol": string, "time": time, "action": ["enum": ["buy", "sell", "hold"]], "confidence": ["type": ["number", "null"]],
                "expected_return": ["type": ["number", "null"]], "model_accuracy": ["type": ["number", "null"]], "trained_at": nullableTime,
                "model_precision": ["type": ["number", "null"]], "strategy": string,
                "feature_importances": [
                    "type": "object", "additionalProperties": number, "description": "Feature name → share of the forest's impurity decrease.",
                ],
            ], required: ["symbol", "time", "action"]),
        "EquityPoint": object(["time": time, "total_usdt": decimal]),
        "Settings": object(
            [
                "symbols": ["type": "array", "items": string], "interval": string,
                "strategy": object(["name": ["enum": ["sma_cross", "ml"]], "params": ["type": "object"]]),
                "risk": object([
                    "max_position_pct": number, "max_position_usdt": decimal, "max_open_positions": integer, "stop_loss_pct": number,
                    "take_profit_pct": number, "trailing_stop_pct": number, "daily_loss_limit_usdt": decimal, "max_drawdown_pct": number,
                    "cooldown_minutes": integer,
                ]),
                "emergency_close_positions": boolean, "unknown_orders": ["enum": ["adopt", "cancel"]], "timezone": string,
                "is_default": ["type": "boolean", "description": "In answers: nothing is saved yet, these are the defaults."],
                "execution": object([
                    "exits": ["enum": BotSettings.Execution.Exits.allCases.map(\.rawValue)],
                    "entry": ["enum": BotSettings.Execution.Entry.allCases.map(\.rawValue)],
                    "entry_offset_pct": ["type": "number", "minimum": 0, "maximum": 10],
                    "entry_timeout_seconds": ["type": "integer", "minimum": 5, "maximum": 86_400],
                    "entry_timeout_action": ["enum": BotSettings.Execution.TimeoutAction.allCases.map(\.rawValue)],
                ]),
            ], required: ["symbols", "interval", "strategy", "risk", "emergency_close_positions", "unknown_orders", "timezone"]),
        "Portfolio": object(
            [
                "quote_asset": ["const": "USDT"], "total_usdt": nullableDecimal, "unpriced_assets": ["type": "array", "items": string],
                "total_usdt_reason": ["enum": ["no_key", "exchange_unreachable", "not_reported_yet"]], "balances_at": time,
                "exchange_unreachable_since": time, "exchange_reason": nullableString,
                "balances": [
                    "type": "array",
                    "items": object(
                        [
                            "asset": string, "free": decimal, "locked": decimal, "total": decimal, "price_usdt": nullableDecimal,
                            "value_usdt": nullableDecimal, "price_usdt_reason": ["const": "no_price_route"], "value_usdt_reason": ["const": "no_price_route"],
                            "price_route": nullableString,
                        ], required: ["asset", "free", "locked", "total", "price_usdt", "value_usdt"]),
                ],
                "updated_at": nullableTime, "stale_since": nullableTime,
            ], required: ["quote_asset", "total_usdt", "balances", "updated_at"]),
        "Bot": object(
            [
                "state": ["enum": ["no_key", "stopped", "starting", "running", "emergency_stopped", "error"]],
                "worker": object(["alive": boolean, "pid": ["type": ["integer", "null"]], "last_heartbeat": nullableTime, "restarts": integer]),
                "open_positions": ["type": ["integer", "null"]], "today_pnl_usdt": nullableDecimal, "positions": ["type": "array", "items": ref("Position")],
                "state_reason": string, "open_positions_reason": string, "today_pnl_usdt_reason": string, "stale_since": time,
            ], required: ["state", "worker", "open_positions", "today_pnl_usdt", "positions"]),
        "ExchangeKey": exchangeKey,
        "BacktestResult": object(
            [
                "metrics": object(
                    [
                        "total_return": number, "buy_and_hold_return": number, "max_drawdown": number, "sharpe": ["type": ["number", "null"]],
                        "sortino": ["type": ["number", "null"]], "win_rate": ["type": ["number", "null"]], "profit_factor": ["type": ["number", "null"]],
                        "trades": integer, "cagr": ["type": ["number", "null"]], "max_drawdown_duration_seconds": number,
                        "calmar": ["type": ["number", "null"]], "expectancy": ["type": ["number", "null"]], "exposure": number,
                    ], required: ["total_return", "max_drawdown", "trades"]),
                "trades": [
                    "type": "array",
                    "items": object(["entry_time": time, "exit_time": time, "entry_price": number, "exit_price": number, "qty": number, "pnl": number]),
                ],
                "equity": ["type": "array", "items": number], "symbol": string, "candles": integer,
                "buy_and_hold_equity": ["type": "array", "items": number],
                "strategy": ["enum": ["sma_cross", "ml", "grid", "dca"]],
                "grid": object(
                    [
                        "cycles": integer, "grid_profit": number, "opening_purchase": number, "ended": ["type": ["string", "null"]],
                        "levels": ["type": "array", "items": number],
                        "fills": [
                            "type": "array",
                            "items": object(
                                [
                                    "time": time, "cell": integer, "level": integer, "side": ["enum": ["BUY", "SELL"]], "price": number, "qty": number,
                                    "fee": number,
                                    "range": ["type": "integer", "description": "0: the first range; n: after the range's n-th move up (trail up)."],
                                ], required: ["time", "cell", "level", "side", "price", "qty", "fee", "range"]),
                        ],
                        "range_moves": [
                            "type": "array", "description": "A trailing grid's moves up, oldest first: at the close of the candle at `time` the range moved to these levels.",
                            "items": object(
                                ["time": time, "levels": ["type": "array", "items": number], "purchase": number], required: ["time", "levels", "purchase"]),
                        ],
                    ], required: ["cycles", "grid_profit", "opening_purchase", "ended", "levels", "fills", "range_moves"]),
                "dca": object(
                    [
                        "deals": [
                            "type": "array",
                            "items": object(
                                [
                                    "opened": time, "closed": nullableTime, "entry": number, "average": ["type": ["number", "null"]],
                                    "safety_orders_filled": integer, "take_profit_price": ["type": ["number", "null"]], "pnl": ["type": ["number", "null"]],
                                    "reason": ["type": ["string", "null"]],
                                ], required: ["opened", "closed", "entry", "safety_orders_filled", "pnl"]),
                        ]
                    ], required: ["deals"]),
            ], required: ["metrics", "trades", "equity", "strategy"]),
        "Report": object(
            [
                "period": ["enum": ["day", "week", "month"]],
                "items": [
                    "type": "array",
                    "items": object([
                        "start": time, "realized_pnl_usdt": decimal, "fees_usdt": decimal, "trades": integer, "wins": integer,
                        "win_rate": ["type": ["number", "null"]],
                    ]),
                ],
            ]),
    ]

    // MARK: - Paths

    nonisolated(unsafe) static let credentials = object(["username": string, "password": string])

    nonisolated(unsafe) static let paths: [String: Any] = [
        "/api/v1/signup": [
            "post": operation(
                "Create an account (the installation's first is its administrator). By invitation: `invitation_code` too.", tag: "accounts",
                responses: [
                    "201": json(object(["user_id": integer]), "Created."), "409": error("The username is taken."), "422": error("The password or username breaks a rule."),
                    "429": error("Too many attempts."), "403": error("Sign-up is closed (signup_closed), or the invitation code is missing, unknown or used (invitation_invalid)."),
                ], body: body(signupBody, example: ["username": "openapi-new", "password": "correct horse battery"]), session: false)
        ],
        "/api/v1/login": [
            "post": operation(
                "Sign in; sets the session cookie (persistent with remember_me).", tag: "accounts",
                responses: [
                    "200": json(object(["user_id": integer, "csrf_token": string]), "Signed in."),
                    "401": error("Unknown user or wrong password; or the account has two-factor sign-in and the code is missing (second_factor_required), wrong or used (invalid_code)."),
                    "429": error("Too many failures: wait Retry-After seconds."),
                    "503": error("The central database (the failed-login counters, the sessions) does not answer: try again."),
                ],
                body: body(
                    object(["username": string, "password": string, "remember_me": boolean, "code": loginCode], required: ["username", "password"]),
                    example: ["username": "openapi-nobody", "password": "not the password", "remember_me": false]), session: false)
        ],
        "/api/v1/logout": ["post": operation("End this session on the server.", tag: "accounts", responses: ["204": ["description": "Signed out."]], unsafe: true)],
        "/api/v1/me": ["get": operation("Who is signed in, and the CSRF token.", tag: "accounts", responses: ["200": json(object(["user_id": integer, "username": string, "csrf_token": string, "is_admin": boolean]), "The user.")])],
        "/api/v1/password": [
            "post": operation(
                "Change the password; every other session ends.", tag: "accounts",
                responses: ["200": json(object(["csrf_token": string]), "Changed; a new session."), "401": error("The current password is wrong."), "422": error("The new password breaks a rule.")],
                body: body(object(["current_password": string, "new_password": string]), example: ["current_password": "wrong password here", "new_password": "another good password"]),
                unsafe: true)
        ],
        "/api/v1/exchange-key": [
            "get": operation("The stored key, masked.", tag: "accounts", responses: ["200": json(ref("ExchangeKey"), "The key."), "404": error("No key is stored.")]),
            "put": operation(
                "Check a key with the exchange, store it encrypted, start the bot.", tag: "accounts",
                responses: ["200": json(ref("ExchangeKey"), "Stored."), "422": error("The exchange refused the key, or it is malformed."), "429": error("The exchange asks this server to wait (its request limit for the address, or our share of it): try again after Retry-After seconds.")],
                body: body(object(["api_key": string, "api_secret": string]), example: ["api_key": "not-a-real-key", "api_secret": "not-a-real-secret"]), unsafe: true),
            "delete": operation("Erase the key and stop the bot.", tag: "accounts", responses: ["204": ["description": "Erased."], "404": error("No key is stored.")], unsafe: true),
        ],
        "/api/v1/sim-account": [
            "post": operation(
                "Sim mode: open a simulator account and store its key.", tag: "accounts",
                responses: ["200": json(ref("ExchangeKey"), "Stored."), "404": error("Not in sim mode."), "429": error("The exchange asks this server to wait (its request limit for the address, or our share of it): try again after Retry-After seconds.")], unsafe: true)
        ],
        "/api/v1/portfolio": ["get": operation("Balances valued in USDT, from the exchange.", tag: "portfolio", responses: ["200": json(ref("Portfolio"), "The portfolio.")])],
        "/api/v1/equity": [
            "get": operation(
                "Total in USDT once a minute, newest first. With the bot_id of a live grid or DCA bot: that bot's value (its allocation plus its realised and unrealised PnL) once a minute while it runs.", tag: "portfolio",
                responses: ["200": json(list("EquityPoint"), "Points."), "400": error("A bad query parameter."), "404": error("bot_id names no bot of this user.")],
                parameters: [["$ref": "#/components/parameters/limit"], ["$ref": "#/components/parameters/before"], ["$ref": "#/components/parameters/bot_id"]])
        ],
        "/api/v1/settings": [
            "get": operation("The bot's settings (the defaults until saved).", tag: "trading", responses: ["200": json(ref("Settings"), "Settings.")]),
            "put": operation(
                "Save the settings; a running bot applies them within a second.", tag: "trading",
                responses: ["200": json(ref("Settings"), "Saved."), "422": error("A field is invalid, or the exchange does not list a symbol."), "429": error("The exchange asks this server to wait (its request limit for the address, or our share of it): try again after Retry-After seconds.")],
                body: body(ref("Settings"), example: ["symbols": ["NOSUCHUSDT"]]), unsafe: true),
        ],
        "/api/v1/bot": ["get": operation("The bot's state, worker and positions.", tag: "trading", responses: ["200": json(ref("Bot"), "The bot.")])],
        "/api/v1/bot/start": ["post": operation("Start trading.", tag: "trading", responses: ["202": accepted, "409": error("No key is stored.")], unsafe: true)],
        "/api/v1/bot/stop": [
            "post": operation(
                "Stop entries (optionally selling positions).", tag: "trading", responses: ["202": accepted, "409": error("No key is stored.")],
                body: body(object(["close_positions": boolean]), example: ["close_positions": false], required: false), unsafe: true)
        ],
        "/api/v1/bot/emergency-stop": [
            "post": operation("Cancel every open order, optionally sell, stay stopped.", tag: "trading", responses: ["202": accepted, "409": error("No key is stored.")], unsafe: true)
        ],
        "/api/v1/orders/{order_id}": [
            "delete": operation(
                "Cancel one of the user's open orders on the exchange; when it belongs to an order list (a manual order's take-profit and stop-loss OCO), the whole list is cancelled.", tag: "trading",
                responses: ["202": accepted, "404": error("No such order of this user."), "409": error("The order is not open, or it is a grid's or DCA bot's (order_of_grid_or_dca_bot: stop that bot).")],
                parameters: [["name": "order_id", "in": "path", "required": true, "schema": integer, "example": 987_654_321]], unsafe: true)
        ],
        "/api/v1/positions": ["get": listOperation("Positions.", "Position")],
        "/api/v1/orders": ["get": listOperation("Orders.", "Order"), "post": placeOrder],
        "/api/v1/fills": ["get": listOperation("Fills.", "Fill")],
        "/api/v1/signals": ["get": listOperation("Signals.", "Signal")],
        "/api/v1/backtests": [
            "post": operation(
                "Run a backtest on exchange candles (or a multipart `candles` CSV).", tag: "backtests",
                responses: ["200": json(ref("BacktestResult"), "The result (CONTRACT §7)."), "422": error("A field is invalid."), "429": error("The exchange asks this server to wait (its request limit for the address, or our share of it): try again after Retry-After seconds.")],
                body: body(
                    object(
                        [
                            "symbol": string, "interval": string, "start": time, "end": time,
                            "strategy": object([
                                "name": ["enum": ["sma_cross", "ml", "grid", "dca"]],
                                "params": [
                                    "type": "object",
                                    "description": "sma_cross: fast, slow. ml: training_window, retrain_every, trees, depth, horizon, fee, seed. grid: lower, upper, levels, investment (default: cash), spacing (arithmetic or geometric), stop_loss, take_profit (prices). dca: base_order (USDT), take_profit (percent), safety_orders, deviation, step_scale, volume_scale, trailing, stop_loss (percent), max_deals, start (immediately, sma_cross or ml: a deal on the strategy's buy signal), start_fast, start_slow.",
                                ],
                            ]), "fee": number, "cash": number,
                        ], required: ["symbol", "interval", "strategy"]),
                    example: ["symbol": "NOSUCHUSDT", "interval": "1h", "strategy": ["name": "sma_cross", "params": ["fast": 9, "slow": 21]]]),
                unsafe: true)
        ],
        "/api/v1/reports": [
            "get": operation(
                "PnL per day, week or month from the fills.", tag: "reports",
                responses: ["200": json(ref("Report"), "The report."), "400": error("A bad period.")],
                parameters: [["name": "period", "in": "query", "schema": ["enum": ["day", "week", "month"]]]])
        ],
        "/api/v1/reports.csv": [
            "get": operation(
                "The same report as CSV.", tag: "reports",
                responses: ["200": ["description": "CSV.", "content": ["text/csv": ["schema": string]]], "400": error("A bad period.")],
                parameters: [["name": "period", "in": "query", "schema": ["enum": ["day", "week", "month"]]]])
        ],
        "/api/v1/events": [
            "get": operation(
                "Server-sent events: fill, order, bot, heartbeat, portfolio, signal, command; the data is the JSON of that resource. Every event "
                    + "has an id: a reconnection with Last-Event-ID first gets the events it missed, or one reload event "
                    + #"({"reason":"missed_events"}) when they can no longer be told."#, tag: "live",
                responses: ["200": ["description": "An endless event stream.", "content": ["text/event-stream": ["schema": string]]]],
                parameters: [["name": "Last-Event-ID", "in": "header", "required": false, "schema": string]])
        ],
        "/api/v1/openapi.json": [
            "get": operation(
                "This document.", tag: "meta", responses: ["200": ["description": "OpenAPI 3.1.", "content": ["application/json": ["schema": ["type": "object"]]]]],
                session: false)
        ],
    ]

    nonisolated(unsafe) static let document: [String: Any] = [
        "openapi": "3.1.0",
        "info": [
            "title": "Crypto Trader Pro API", "version": "1",
            "description": "The dashboard's JSON API. Amounts are decimal strings, times ISO-8601 UTC. A value that is not known is null with a sibling <field>_reason.",
        ],
        "servers": [["url": "/"]],
        "paths": paths.merging(botPaths) { first, _ in first }.merging(hookPaths) { first, _ in first }.merging(notificationPaths) { first, _ in first }.merging(secondFactorPaths) { first, _ in first }
            .merging(accessPaths) { first, _ in first }.merging(researchPaths) { first, _ in first },
        "components": [
            "schemas": schemas.merging(botSchemas) { first, _ in first }.merging(hookSchemas) { first, _ in first }
                .merging(notificationSchemas) { first, _ in first },
            "securitySchemes": ["session": ["type": "apiKey", "in": "cookie", "name": "ctp_session"], "token": tokenScheme],
            "parameters": [
                "csrf": ["name": "X-CSRF-Token", "in": "header", "required": true, "schema": string, "description": "From login or GET /api/v1/me."],
                "limit": ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 100]],
                "before": ["name": "before", "in": "query", "schema": time, "description": "Rows strictly older than this (the previous page's next_before)."],
                "symbol": ["name": "symbol", "in": "query", "schema": ["type": "string", "pattern": "^[A-Z0-9]{1,20}$"]],
                "bot_id": [
                    "name": "bot_id", "in": "query", "schema": integer, "description": "One of the user's bots: its rows only (another user's bot: 404).",
                ],
            ],
        ],
    ]
}
