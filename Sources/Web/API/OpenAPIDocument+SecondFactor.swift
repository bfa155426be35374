import Foundation

/// Two-factor sign-in in the OpenAPI document (CONTRACT §9, issue 19): `/api/v1/2fa…`.
extension OpenAPIDocument {
    /// The login body's `code`.
    nonisolated(unsafe) static let loginCode: [String: Any] = [
        "type": "string", "description": "With two-factor sign-in: the authenticator's six digits, or a recovery code.",
    ]

    nonisolated(unsafe) static let secondFactorPaths: [String: Any] = [
        "/api/v1/2fa": [
            "get": operation(
                "Whether two-factor sign-in is on, since when, and how many recovery codes are left.", tag: "accounts",
                responses: [
                    "200": json(
                        object(
                            ["enabled": boolean, "enabled_at": ["type": ["string", "null"], "format": "date-time"], "recovery_codes_left": integer],
                            required: ["enabled", "enabled_at", "recovery_codes_left"]), "The state.")
                ])
        ],
        "/api/v1/sessions": [
            "get": operation(
                "The user's sessions (signed-in browsers and clients), the most recently seen first; `id` names one (16 hex digits of its id's SHA-256).",
                tag: "accounts",
                responses: [
                    "200": json(
                        object(
                            [
                                "items": [
                                    "type": "array",
                                    "items": object(
                                        [
                                            "id": string, "user_agent": ["type": ["string", "null"]], "address": ["type": ["string", "null"]],
                                            "created_at": time, "last_seen_at": time, "persistent": boolean, "current": boolean,
                                        ], required: ["id", "user_agent", "address", "created_at", "last_seen_at", "persistent", "current"]),
                                ]
                            ], required: ["items"]), "The sessions.")
                ])
        ],
        "/api/v1/sessions/{session_id}": [
            "delete": operation(
                "End one of the user's sessions (this one too: it is then signed out).", tag: "accounts",
                responses: ["204": ["description": "Ended."], "404": error("No such session of this user.")],
                parameters: [["name": "session_id", "in": "path", "required": true, "schema": string, "example": "0123456789abcdef"]], unsafe: true)
        ],
        "/api/v1/2fa/enrol": [
            "post": operation(
                "Start an enrolment: a new TOTP secret (SHA-1, 30 s, 6 digits) as base32, as an otpauth URI and as a QR code (SVG). Confirm with a first code.",
                tag: "accounts",
                responses: [
                    "200": json(object(["secret": string, "otpauth_uri": string, "qr_svg": string], required: ["secret", "otpauth_uri", "qr_svg"]), "The enrolment."),
                    "409": error("Two-factor sign-in is on already (second_factor_on)."),
                ], unsafe: true)
        ],
        "/api/v1/2fa/confirm": [
            "post": operation(
                "Turn it on with the first code; the answer carries the ten recovery codes, this once.", tag: "accounts",
                responses: [
                    "200": json(object(["recovery_codes": ["type": "array", "items": string]], required: ["recovery_codes"]), "On."),
                    "409": error("No enrolment under way (no_enrolment)."), "422": error("The code does not match (invalid_code)."),
                ],
                body: body(object(["code": string], required: ["code"]), example: ["code": "123456"]), unsafe: true)
        ],
        "/api/v1/2fa/disable": [
            "post": operation(
                "Turn it off: the password and a code (or a recovery code).", tag: "accounts",
                responses: [
                    "204": ["description": "Off."], "403": error("The password is wrong."), "401": error("The code is wrong or used (invalid_code)."),
                    "429": error("Too many wrong codes: wait Retry-After seconds."),
                ],
                body: body(object(["password": string, "code": string], required: ["password", "code"]), example: ["password": "not it", "code": "000000"]),
                unsafe: true)
        ],
    ]
}
