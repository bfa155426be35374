import Common
import Foundation
import Synchronization

/// What the bot is doing, kept in the worker's own database so that an emergency stop holds
/// across restarts until the next start.
final class BotState: Sendable {
    enum Value: String, Sendable {
        case stopped, running, error
        case emergencyStopped = "emergency_stopped"
    }

    enum Failure: Error, CustomStringConvertible {
        case unusable(String)
        var description: String {
            switch self {
            case .unusable(let reason): "the bot's database cannot be used: \(reason)"
            }
        }
    }

    private let database: TraderDatabase?
    private let failure: String?
    private let value: Mutex<Value>

    init(database: TraderDatabase) throws {
        self.database = database
        failure = nil
        value = Mutex(try database.state("bot_state").flatMap(Value.init(rawValue:)) ?? .stopped)
    }

    /// A bot whose database cannot be used: it stays in `error` and refuses every command.
    init(failure: String) {
        database = nil
        self.failure = failure
        value = Mutex(.error)
    }

    var current: Value { value.withLock { $0 } }

    /// Takes the state the user's last worker reported (``SupervisorMessage/traderState(_:)``)
    /// when this database has none of its own (a new host, a lost file); `error` and unknown
    /// values are not taken. Returns whether it was taken.
    @discardableResult
    func adopt(_ reported: String) throws -> Bool {
        guard let database, let new = Value(rawValue: reported), new != .error else { return false }
        guard try database.state("bot_state") == nil else { return false }
        try set(new)
        return true
    }

    func set(_ new: Value) throws {
        guard let database else { throw Failure.unusable(failure ?? "unknown") }
        try database.setState("bot_state", new.rawValue)
        value.withLock { $0 = new }
    }

    /// Records a command once; `false` for one already handled (resent after a restart).
    func record(commandID: Int64, command: String, payload: String?) throws -> Bool {
        guard let database else { throw Failure.unusable(failure ?? "unknown") }
        return try database.recordCommand(id: commandID, command: command, payload: payload)
    }
}
