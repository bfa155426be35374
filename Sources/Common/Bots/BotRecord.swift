import Foundation

/// One stored bot of a user: its id (what `/api/v1/bots/{bot_id}` names), its definition, and
/// when it was made and last changed. A user's first bot is the one with the lowest id: the
/// routes of CONTRACT §6 that name "the bot" act on it.
public struct BotRecord: Sendable, Equatable {
    public let id: Int64
    public var definition: BotDefinition
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: Int64, definition: BotDefinition, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
