import Foundation

/// One stored bot of a user: its id (what `/api/v1/bots/{bot_id}` names), its definition, and
/// when it was made and last changed. A user's first bot is the one with the lowest id: the
/// routes of CONTRACT §6 that name "the bot" act on it.
public struct BotRecord: Sendable, Equatable {
    public let id: Int64
    public var definition: BotDefinition
    public let createdAt: Date
    public var updatedAt: Date
    /// Whether its owner wants it running: a grid or DCA bot started and not stopped since. The
    /// worker runs it while this holds (the first `sma_cross`/`ml` bot's state is the worker's).
    public var wanted: Bool
    /// When its owner last started or stopped it: a status from before is not about this wish.
    public var wantedAt: Date?

    public init(id: Int64, definition: BotDefinition, createdAt: Date, updatedAt: Date, wanted: Bool = false, wantedAt: Date? = nil) {
        self.id = id
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.wanted = wanted
        self.wantedAt = wantedAt
    }

    /// The strategies the worker hosts as bots of their own, as the `bots` table names them.
    public static let hostedStrategies: Set<String> = ["grid", "dca", "signal"]

    /// Whether the worker runs it as one of its hosted bots (``BotRunStatus``): a grid, DCA or
    /// signal bot, live or paper.
    public var isHosted: Bool {
        switch definition.plan {
        case .grid, .dca, .signal: true
        case .signals: false
        }
    }
}
