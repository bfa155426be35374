import Common
import Foundation

/// Notification channels in the OpenAPI document (CONTRACT §9, issue 18):
/// `/api/v1/notification-channels…`. No answer carries a channel's secret.
extension OpenAPIDocument {
    nonisolated(unsafe) static let notificationSchemas: [String: Any] = [
        "Channel": object(
            [
                "id": integer, "kind": ["enum": ChannelKind.allCases.map(\.rawValue)], "name": string,
                "target": [
                    "type": ["string", "null"],
                    "description": "Telegram: the linked chat (null until linked); webhook: its URL's scheme and host only; e-mail: the address.",
                ],
                "preset": ["type": ["string", "null"], "enum": WebhookPreset.allCases.map { $0.rawValue as Any } + [NSNull()]],
                "events": ["type": "array", "items": ["enum": NotificationEvent.allCases.map(\.rawValue)]],
                "unreachable_minutes": integer, "linked": boolean,
                "link_code": ["type": ["string", "null"], "description": "Telegram, until linked: send it to the bot from the chat to link."],
                "last_result": [
                    "type": ["object", "null"], "properties": ["ok": boolean, "text": string, "at": time], "required": ["ok", "text", "at"],
                    "description": "The last delivery's result (failed: 401 from Telegram …), or null before the first.",
                ],
                "pending": ["type": "integer", "description": "Messages waiting to be delivered."], "created_at": time,
            ],
            required: ["id", "kind", "name", "target", "preset", "events", "unreachable_minutes", "linked", "link_code", "last_result", "pending", "created_at"]),
        "ChannelList": object(
            ["items": ["type": "array", "items": ref("Channel")], "events": ["type": "array", "items": string]], required: ["items", "events"]),
    ]

    nonisolated(unsafe) static let channelID: [String: Any] = ["name": "channel_id", "in": "path", "required": true, "schema": integer, "example": 1]

    static func channelBody(required: [String]) -> [String: Any] {
        object(
            [
                "kind": ["enum": ChannelKind.allCases.map(\.rawValue)], "name": ["type": "string", "maxLength": 60],
                "target": ["type": "string", "description": "Webhook: its URL (http or https); e-mail: the address."],
                "preset": ["enum": WebhookPreset.allCases.map(\.rawValue)],
                "secret": ["type": "string", "description": "Telegram: the bot's token; a JSON webhook: its signing secret (16 characters or more). Never shown again."],
                "events": ["type": "array", "items": ["enum": NotificationEvent.allCases.map(\.rawValue)]],
                "unreachable_minutes": ["type": "integer", "minimum": 1, "maximum": 1440],
            ], required: required)
    }

    nonisolated(unsafe) static let notificationPaths: [String: Any] = [
        "/api/v1/notification-channels": [
            "get": operation(
                "The user's notification channels, with each one's last delivery.", tag: "notifications",
                responses: ["200": json(ref("ChannelList"), "The channels and the events a channel can pick.")]),
            "post": operation(
                "Add a channel: Telegram (a bot token; then send the link_code to the bot), a webhook (JSON signed with HMAC-SHA256 in X-CTP-Signature, or Discord's or Slack's shape), or e-mail (when the server has SMTP).",
                tag: "notifications",
                responses: [
                    "201": json(ref("Channel"), "Added."), "409": error("Ten channels already, or no SMTP server for e-mail."),
                    "422": error("A setting is wrong: the message says which."),
                ],
                body: body(channelBody(required: ["kind"]), example: ["kind": "webhook", "target": "https://example.com/hook", "secret": "0123456789abcdef0123", "events": ["fills"]]),
                unsafe: true),
        ],
        "/api/v1/notification-channels/{channel_id}": [
            "put": operation(
                "Change a channel's name, events or minutes; a secret or URL given replaces the old one.", tag: "notifications",
                responses: ["200": json(ref("Channel"), "Changed."), "404": error("No such channel of this user."), "422": error("A setting is wrong.")],
                body: body(channelBody(required: []), example: ["events": ["fills", "exits"]]), parameters: [channelID], unsafe: true),
            "delete": operation(
                "Delete a channel and the messages waiting for it.", tag: "notifications",
                responses: ["204": ["description": "Deleted."], "404": error("No such channel of this user.")], parameters: [channelID], unsafe: true),
        ],
        "/api/v1/notification-channels/{channel_id}/test": [
            "post": operation(
                "Queue a test message on the channel; its result shows in last_result.", tag: "notifications",
                responses: [
                    "202": json(ref("Channel"), "Queued."), "404": error("No such channel of this user."),
                    "409": error("A Telegram channel not linked to a chat yet."),
                ],
                parameters: [channelID], unsafe: true)
        ],
    ]
}
