import Common
import Foundation

/// A bot's signal hook (`/api/v1/bots/{bot_id}/hook`): its URL's path, its limits, and its newest
/// signals with their outcomes. `secret` is there once, in the answer that made it.
struct SignalHookResponse: Encodable, Sendable {
    let botId: Int64
    let url: String
    var secret: String?
    let maxLagSeconds: Int
    let perMinute: Int
    let allowedAddresses: [String]
    let createdAt: Date
    let signals: [SignalRecordResponse]

    init(hook: SignalHook, secret: String?, records: [SignalRecordResponse]) {
        botId = hook.botID
        url = "/hooks/\(hook.id)"
        self.secret = secret
        maxLagSeconds = hook.maxLagSeconds
        perMinute = hook.perMinute
        allowedAddresses = hook.allowedAddresses
        createdAt = hook.createdAt
        signals = records
    }
}

/// One signal a hook received: accepted (and what the bot did: the worker's outcome, or that it
/// is still on its way) or refused, with the reason.
struct SignalRecordResponse: Encodable, Sendable {
    let id: Int64
    let receivedAt: Date
    let address: String
    let accepted: Bool
    @Nullable var action: String?
    @Nullable var signalId: String?
    @Nullable var reason: String?
    @Nullable var outcome: String?

    init(_ record: SignalHookRecord, outcome: String?) {
        id = record.id
        receivedAt = record.receivedAt
        address = record.address
        accepted = record.accepted
        action = record.action
        signalId = record.signalID
        reason = record.reason
        self.outcome = outcome
    }
}

/// The answer to `POST /hooks/{hook_id}`: `accepted` with the signal's record and command, or
/// `refused` with the reason.
struct SignalAnswer: Encodable, Sendable {
    let status: String
    var error: String?
    var message: String?
    var signalId: Int64?
    var commandId: Int64?
    var delivered: Bool?
}
