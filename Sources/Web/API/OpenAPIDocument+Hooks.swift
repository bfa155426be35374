import Common
import Foundation

/// Signal hooks in the OpenAPI document (CONTRACT §9, issue 18): `POST /hooks/{hook_id}` (no
/// session: the body carries the hook's secret) and the owner's `/api/v1/bots/{bot_id}/hook`.
extension OpenAPIDocument {
    nonisolated(unsafe) static let hookSchemas: [String: Any] = [
        "SignalHook": object(
            [
                "bot_id": integer, "url": ["type": "string", "description": "The hook's path, /hooks/{hook_id}: POST signals there."],
                "secret": ["type": "string", "description": "Only in the answer that made the hook or a new URL: shown this once, stored as a digest."],
                "max_lag_seconds": integer, "per_minute": integer, "allowed_addresses": ["type": "array", "items": string], "created_at": time,
                "signals": ["type": "array", "items": ref("SignalRecord")],
            ], required: ["bot_id", "url", "max_lag_seconds", "per_minute", "allowed_addresses", "created_at", "signals"]),
        "SignalRecord": object([
            "id": integer, "received_at": time, "address": string, "accepted": boolean, "action": nullableString, "signal_id": nullableString,
            "reason": ["type": ["string", "null"], "description": "Why it was refused: <kind>: <what>."],
            "outcome": ["type": ["string", "null"], "description": "An accepted signal: what the bot did (ok: …, refused: …), or that it is on its way."],
        ]),
        "SignalAnswer": object(
            [
                "status": ["enum": ["accepted", "refused"]], "error": ["type": "string", "description": "A refusal's kind."], "message": string,
                "signal_id": integer, "command_id": integer, "delivered": boolean,
            ], required: ["status"]),
    ]

    nonisolated(unsafe) static let hookLimitsBody: [String: Any] = object(
        [
            "max_lag_seconds": ["type": "integer", "minimum": SignalHook.maxLagRange.lowerBound, "maximum": SignalHook.maxLagRange.upperBound],
            "per_minute": ["type": "integer", "minimum": SignalHook.perMinuteRange.lowerBound, "maximum": SignalHook.perMinuteRange.upperBound],
            "allowed_addresses": ["type": "array", "items": string, "maxItems": SignalHook.maxAddresses, "description": "IPv4 or IPv6 addresses; empty: any."],
        ], required: [])

    static func signalRefusal(_ description: String) -> [String: Any] { json(ref("SignalAnswer"), description) }

    nonisolated(unsafe) static let hookPaths: [String: Any] = [
        "/hooks/{hook_id}": [
            "post": operation(
                "A signal for a bot (a TradingView alert): JSON of at most 8 KiB with the hook's secret and an action (buy, sell, close, cancel_all, start_deal; a DCA bot takes start_deal), an optional id (a repeated one is refused) and time (ISO-8601 or Unix ms; older than the hook's max_lag_seconds is refused). Every signal is recorded with its outcome on the bot's page.",
                tag: "hooks",
                responses: [
                    "202": json(ref("SignalAnswer"), "Accepted and handed to the bot's worker, which acts at once."),
                    "404": signalRefusal("No such hook, or a missing or wrong secret (the same answer)."),
                    "409": signalRefusal("A repeated id (replayed), or the bot is stopped (bot_stopped)."),
                    "413": signalRefusal("The body is larger than 8 KiB."),
                    "422": signalRefusal("The body is not JSON, a field is wrong (malformed), the time is too old (stale), or the bot does not take the action (not_for_this_bot)."),
                    "403": signalRefusal("The source address is not among the hook's allowed addresses."),
                    "429": signalRefusal("More signals than the hook's per_minute."),
                ],
                body: body(
                    object(
                        [
                            "secret": string, "action": ["enum": ["buy", "sell", "close", "cancel_all", "start_deal"]], "id": ["type": "string", "maxLength": 64],
                            "time": ["type": ["string", "integer"]], "order_type": ["enum": ["market", "limit"]], "price": ["type": ["string", "number"]],
                            "amount_usdt": ["type": ["string", "number"]], "amount_base": ["type": ["string", "number"]],
                            "allocation_pct": ["type": ["string", "number"]],
                        ], required: ["secret", "action"]),
                    example: ["secret": "the hook's secret", "action": "start_deal", "id": "alert-1"]),
                parameters: [["name": "hook_id", "in": "path", "required": true, "schema": ["type": "string", "maxLength": 64], "example": "unknown-hook"]],
                session: false)
        ],
        "/api/v1/bots/{bot_id}/hook": [
            "get": operation(
                "The bot's signal hook and its newest signals (without the secret).", tag: "hooks",
                responses: ["200": json(ref("SignalHook"), "The hook."), "404": error("No such bot, or it has no hook.")], parameters: [botID]),
            "post": operation(
                "Make the bot's signal hook, or a new URL and secret for it (the old URL stops working). The answer carries the secret, this once.", tag: "hooks",
                responses: [
                    "201": json(ref("SignalHook"), "The hook, with its secret."), "404": error("No such bot."),
                    "409": error("The bot takes no signals (takes_no_signals)."), "422": error("A limit is invalid."),
                ],
                body: body(hookLimitsBody, example: ["max_lag_seconds": 60], required: false), parameters: [botID], unsafe: true),
            "put": operation(
                "Change the hook's limits.", tag: "hooks",
                responses: ["200": json(ref("SignalHook"), "The hook."), "404": error("No such bot, or it has no hook."), "422": error("A limit is invalid.")],
                body: body(hookLimitsBody, example: ["per_minute": 60]), parameters: [botID], unsafe: true),
            "delete": operation(
                "Delete the hook: its URL stops working; its signals stay listed until the bot is deleted.", tag: "hooks",
                responses: ["204": ["description": "Deleted."], "404": error("No such bot, or it has no hook.")], parameters: [botID], unsafe: true),
        ],
    ]
}
