import Common
import Foundation
import Synchronization

/// What the bot is doing, kept in the worker's own database so that an emergency stop holds
/// across restarts until the next start.
final class BotState: Sendable {
    enum Value: String, Sendable {
        case stopped, running
        case emergencyStopped = "emergency_stopped"
    }

    private let database: TraderDatabase
    private let value: Mutex<Value>

    init(database: TraderDatabase) throws {
        self.database = database
        value = Mutex(try database.state("bot_state").flatMap(Value.init(rawValue:)) ?? .stopped)
    }

    var current: Value { value.withLock { $0 } }

    func set(_ new: Value) throws {
        try database.setState("bot_state", new.rawValue)
        value.withLock { $0 = new }
    }

    /// Records a command once; `false` for one already handled (resent after a restart).
    func record(commandID: Int64, command: String, payload: String?) throws -> Bool {
        try database.recordCommand(id: commandID, command: command, payload: payload)
    }
}
