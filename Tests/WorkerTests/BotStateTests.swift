import Common
import Foundation
import Testing

@testable import Worker

/// The first bot's state a new worker takes from its last worker's report (a failover to
/// another host, a lost file): only when its own database has none, and never `error`.
@Suite struct BotStateTests {
    static func fresh() throws -> TraderDatabase {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bot-state-\(UUID().uuidString)").path
        return try TraderDatabase.open(DataDirectory(root: root), user: UserID(3))
    }

    @Test func aNewDatabaseTakesTheReportedStateOnce() throws {
        let database = try Self.fresh()
        let bot = try BotState(database: database)
        #expect(bot.current == .stopped)
        #expect(try bot.adopt("running"))
        #expect(bot.current == .running)
        // Its own state now: a second report is not taken, and it survives a restart.
        #expect(try !bot.adopt("stopped"))
        #expect(try BotState(database: database).current == .running)
    }

    @Test func aStateOfItsOwnOrAnErrorIsKept() throws {
        let stopped = try BotState(database: try Self.fresh())
        try stopped.set(.stopped)
        #expect(try !stopped.adopt("running"))
        #expect(stopped.current == .stopped)
        let fresh = try BotState(database: try Self.fresh())
        #expect(try !fresh.adopt("error") && !fresh.adopt("paused"))
        #expect(fresh.current == .stopped)
        #expect(try fresh.adopt("emergency_stopped") && fresh.current == .emergencyStopped)
    }
}
