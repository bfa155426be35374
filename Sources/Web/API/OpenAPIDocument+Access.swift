import Foundation

/// Personal API tokens and the account's audit trail in the OpenAPI document (CONTRACT §9,
/// issue 19): `/api/v1/tokens…`, `/api/v1/activity`.
extension OpenAPIDocument {
    nonisolated(unsafe) static let tokenScheme: [String: Any] = [
        "type": "http", "scheme": "bearer",
        "description": "A personal API token (/settings or POST /api/v1/tokens): read covers GETs, trade the writes; no CSRF token. Account security (tokens, password, 2FA, sessions, logout, the exchange key) needs the session: 403 session_required; a missing scope: 403 insufficient_scope; past the token's budget: 429.",
    ]

    nonisolated(unsafe) static let signupBody: [String: Any] = object(
        ["username": string, "password": string, "invitation_code": ["type": "string", "description": "When sign-up is by invitation: the administrator's code."]],
        required: ["username", "password"])

    nonisolated(unsafe) static let policies: [String: Any] = object(
        [
            "max_order_usdt": ["type": ["string", "null"]], "max_allocation_usdt": ["type": ["string", "null"]],
            "allowed_symbols": ["type": "array", "items": string], "bots_per_user": ["type": ["integer", "null"]], "paper_only_until_approved": boolean,
        ], required: ["max_order_usdt", "max_allocation_usdt", "allowed_symbols", "bots_per_user", "paper_only_until_approved"])

    /// The stored key as answered; `warning` only from the check that stored it.
    nonisolated(unsafe) static let exchangeKey: [String: Any] = object(
        ["masked_key": string, "can_trade": boolean, "verified_at": nullableTime, "warning": string], required: ["masked_key", "can_trade", "verified_at"])

    /// The account an administrator's action names.
    nonisolated(unsafe) static let userID: [String: Any] = ["name": "user_id", "in": "path", "required": true, "schema": integer, "example": 2]

    nonisolated(unsafe) static let tokenItem: [String: Any] = object(
        [
            "id": integer, "name": string, "scopes": ["type": "array", "items": ["type": "string", "enum": ["read", "trade", "admin"]]],
            "created_at": time, "expires_at": time, "last_used_at": ["type": ["string", "null"], "format": "date-time"],
            "revoked_at": ["type": ["string", "null"], "format": "date-time"], "state": ["type": "string", "enum": ["active", "expired", "revoked"]],
            "token": ["type": "string", "description": "The token itself: only in the answer that created it."],
        ], required: ["id", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at", "state"])

    nonisolated(unsafe) static let accessPaths: [String: Any] = [
        "/api/v1/tokens": [
            "get": operation(
                "The user's personal API tokens, newest first (revoked and expired ones too). Needs a signed-in session, not a token.", tag: "accounts",
                responses: ["200": json(object(["items": ["type": "array", "items": tokenItem]], required: ["items"]), "The tokens.")]),
            "post": operation(
                "Create a token: a name, scopes (read; trade; admin for administrators) and a lifetime of 7, 30, 90 or 365 days. The answer carries the token this once; send it as `Authorization: Bearer <token>`.",
                tag: "accounts",
                responses: [
                    "201": json(tokenItem, "Created, with `token`."), "422": error("A field is wrong (invalid_token_request), named in the message."),
                    "409": error("The account holds the most active tokens already (too_many_tokens)."),
                ],
                body: body(
                    object(
                        ["name": string, "scopes": ["type": "array", "items": string], "expires_in_days": ["type": "integer", "enum": [7, 30, 90, 365]]],
                        required: ["name", "scopes"]), example: ["name": "nightly report", "scopes": ["read"], "expires_in_days": 30]),
                unsafe: true),
        ],
        "/api/v1/tokens/{token_id}": [
            "delete": operation(
                "Revoke one of the user's tokens: it gets 401 from then on.", tag: "accounts",
                responses: ["204": ["description": "Revoked."], "404": error("No such active token of this user.")],
                parameters: [["name": "token_id", "in": "path", "required": true, "schema": integer, "example": 1]], unsafe: true)
        ],
        "/api/v1/activity": [
            "get": operation(
                "The user's audit trail, newest first, 100 a page: sign-ins, sign-outs, password and 2FA changes, tokens, every change made.", tag: "accounts",
                responses: [
                    "200": json(
                        object(
                            [
                                "items": [
                                    "type": "array",
                                    "items": object(
                                        [
                                            "seq": integer, "at": time, "user_id": ["type": ["integer", "null"]], "actor": string,
                                            "address": ["type": ["string", "null"]], "action": string, "detail": string,
                                        ], required: ["seq", "at", "user_id", "actor", "address", "action", "detail"]),
                                ]
                            ], required: ["items"]), "The rows.")
                ],
                parameters: [["name": "before", "in": "query", "schema": integer, "description": "Rows before this seq (the last row's, for the next page)."]])
        ],
            "/api/v1/admin/users": [
            "get": operation(
                "Administrators only (404 for everyone else; a token needs the admin scope): every account with its state, second factor, last sign-in, bots and worker.",
                tag: "admin",
                responses: [
                    "200": json(
                        object(
                            [
                                "items": [
                                    "type": "array",
                                    "items": object(
                                        [
                                            "id": integer, "username": string, "is_admin": boolean, "disabled_at": ["type": ["string", "null"], "format": "date-time"],
                                            "second_factor": boolean, "last_sign_in_at": ["type": ["string", "null"], "format": "date-time"], "bots": integer,
                                            "bots_running": integer, "worker_state": ["type": ["string", "null"]], "worker_restarts": integer, "crash_loop": boolean,
                                            "today_pnl_usdt": ["type": ["string", "null"]],
                                        ],
                                        required: [
                                            "id", "username", "is_admin", "disabled_at", "second_factor", "last_sign_in_at", "bots", "bots_running", "worker_state",
                                            "worker_restarts", "crash_loop", "today_pnl_usdt",
                                        ]),
                                ]
                            ], required: ["items"]), "The accounts."),
                    "404": error("Not an administrator."),
                ])
        ],
        "/api/v1/admin/kill-switch": [
            "post": operation(
                "Administrators only: the platform's kill switch. On: every bot of every user is marked not wanted and every running worker emergency-stops its bots (open orders cancelled); every start answers 409 kill_switch until it is released. Off: starts are allowed again (no bot starts by itself).",
                tag: "admin",
                responses: [
                    "200": json(object(["on": boolean, "workers_stopped": integer], required: ["on", "workers_stopped"]), "Done."),
                    "404": error("Not an administrator."),
                ], body: body(object(["on": boolean], required: ["on"]), example: ["on": true]), unsafe: true)
        ],
        "/api/v1/admin/policies": [
            "get": operation(
                "Administrators only: the policies every user's actions must respect (null or empty: no limit).", tag: "admin",
                responses: ["200": json(policies, "The policies."), "404": error("Not an administrator.")]),
            "put": operation(
                "Administrators only: set the policies (a missing or blank field: no limit). A refused action of a user answers 422 policy_refused naming the policy.",
                tag: "admin",
                responses: ["200": json(policies, "Saved."), "404": error("Not an administrator."), "422": error("A field is wrong (invalid_policy), named.")],
                body: body(
                    object([
                        "max_order_usdt": ["type": ["string", "number", "null"]], "max_allocation_usdt": ["type": ["string", "number", "null"]],
                        "allowed_symbols": ["type": ["array", "string", "null"]], "bots_per_user": ["type": ["integer", "string", "null"]],
                        "paper_only_until_approved": boolean,
                    ]), example: ["max_order_usdt": "100", "allowed_symbols": ["BTCUSDT", "ETHUSDT"], "paper_only_until_approved": true]),
                unsafe: true),
        ],
        "/api/v1/admin/users/{user_id}/approve": [
            "post": operation(
                "Administrators only: approve an account for live trading (the \"paper only until approved\" policy).", tag: "admin",
                responses: ["204": ["description": "Approved."], "404": error("No such user, or not an administrator.")],
                parameters: [userID], unsafe: true)
        ],
        "/api/v1/admin/signup-mode": [
            "post": operation(
                "Administrators only: who may create an account: open, invite (an unused invitation code each) or closed.", tag: "admin",
                responses: ["204": ["description": "Saved."], "404": error("Not an administrator."), "422": error("Not one of open, invite, closed.")],
                body: body(object(["mode": ["type": "string", "enum": ["open", "invite", "closed"]]], required: ["mode"]), example: ["mode": "invite"]),
                unsafe: true)
        ],
        "/api/v1/admin/invitations": [
            "post": operation(
                "Administrators only: a new invitation code, shown this once; it creates one account.", tag: "admin",
                responses: ["201": json(object(["code": string], required: ["code"]), "The code."), "404": error("Not an administrator.")], unsafe: true)
        ],
        "/api/v1/admin/users/{user_id}/disable": [
            "post": operation(
                "Disable an account: it cannot sign in, its sessions end, its tokens are revoked, its worker stops. Not one's own (409 own_account).", tag: "admin",
                responses: ["204": ["description": "Disabled."], "404": error("No such user, or not an administrator."), "409": error("One's own account.")],
                parameters: [userID], unsafe: true)
        ],
        "/api/v1/admin/users/{user_id}/enable": [
            "post": operation(
                "Enable a disabled account again (its bots that were wanted start again).", tag: "admin",
                responses: ["204": ["description": "Enabled."], "404": error("No such user, or not an administrator.")],
                parameters: [userID], unsafe: true)
        ],
    ]
}
