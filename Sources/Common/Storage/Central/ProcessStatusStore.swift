import Foundation
import GRDB

/// What the dashboard shows of one supervised process: `web`, `exchange-sim` or `worker/<id>`.
public struct ProcessStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case starting, running, backoff, crashLoop = "crash_loop", stopping, stopped
    }

    public var process: String
    public var userID: UserID?
    public var state: State
    public var pid: Int32?
    public var startedAt: Date?
    public var lastHeartbeatAt: Date?
    /// What the worker last said it was doing (`stopped`, `running`, …).
    public var reportedState: String?
    public var restarts: Int
    public var lastExitStatus: String?
    public var lastExitAt: Date?
    public var nextRestartAt: Date?
    public var crashLoop: Bool
    public var message: String?
    /// The exchange's request weight count this minute, as the worker last saw it.
    public var weightUsed: Int?
    /// The process's resident memory as the supervisor last read it.
    public var residentBytes: Int?
    /// The worker's failed exchange calls since it started, by cause (Binance's code, `http_503`, `network`).
    public var exchangeErrors: [String: Int] = [:]

    public init(process: String, userID: UserID? = nil, state: State = .starting) {
        self.process = process
        self.userID = userID
        self.state = state
        restarts = 0
        crashLoop = false
    }

    public static func workerName(_ user: UserID) -> String { "worker/\(user.rawValue)" }
}

/// The `process_status` table. Written by the supervisor only.
public protocol ProcessStatusStore: Sendable {
    /// Saves the given rows in one transaction.
    func save(_ statuses: [ProcessStatus], at: Date) throws
    func remove(process: String) throws
    func status(process: String) throws -> ProcessStatus?
    func all() throws -> [ProcessStatus]
    /// Marks every row stopped: the supervisor does this at start and at exit.
    func markAllStopped(message: String, at: Date) throws
}

public struct SQLiteProcessStatusStore: ProcessStatusStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func save(_ statuses: [ProcessStatus], at: Date = Date()) throws {
        guard !statuses.isEmpty else { return }
        try db.write { db in
            for status in statuses {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO process_status (process, user_id, state, pid, started_at, last_heartbeat_at,
                            reported_state, restarts, last_exit_status, last_exit_at, next_restart_at, crash_loop, message, updated_at,
                            weight_used, exchange_errors, memory_bytes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        status.process, status.userID?.rawValue, status.state.rawValue, status.pid.map { Int64($0) },
                        status.startedAt.map(Timestamp.string), status.lastHeartbeatAt.map(Timestamp.string),
                        status.reportedState, status.restarts, status.lastExitStatus, status.lastExitAt.map(Timestamp.string),
                        status.nextRestartAt.map(Timestamp.string), status.crashLoop, status.message, Timestamp.string(at),
                        status.weightUsed, status.exchangeErrors.isEmpty ? nil : JSONLine.encode(status.exchangeErrors),
                        status.residentBytes.map { Int64($0) },
                    ]
                )
            }
        }
    }

    public func remove(process: String) throws {
        try db.write { try $0.execute(sql: "DELETE FROM process_status WHERE process = ?", arguments: [process]) }
    }

    public func status(process: String) throws -> ProcessStatus? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM process_status WHERE process = ?"), arguments: [process]).map(Self.decode)
        }
    }

    public func all() throws -> [ProcessStatus] {
        try db.read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM process_status ORDER BY process")).map(Self.decode) }
    }

    public func markAllStopped(message: String, at: Date = Date()) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE process_status SET state = 'stopped', pid = NULL, next_restart_at = NULL, message = ?, updated_at = ? WHERE state != 'stopped'",
                arguments: [message, Timestamp.string(at)]
            )
        }
    }

    static func decode(_ row: Row) -> ProcessStatus {
        var status = ProcessStatus(
            process: row["process"], userID: (row["user_id"] as Int64?).map { UserID(rawValue: $0) },
            state: ProcessStatus.State(rawValue: row["state"]) ?? .stopped
        )
        status.pid = (row["pid"] as Int64?).map { Int32(truncatingIfNeeded: $0) }
        status.startedAt = (row["started_at"] as String?).flatMap(Timestamp.date)
        status.lastHeartbeatAt = (row["last_heartbeat_at"] as String?).flatMap(Timestamp.date)
        status.reportedState = row["reported_state"]
        status.restarts = row["restarts"]
        status.lastExitStatus = row["last_exit_status"]
        status.lastExitAt = (row["last_exit_at"] as String?).flatMap(Timestamp.date)
        status.nextRestartAt = (row["next_restart_at"] as String?).flatMap(Timestamp.date)
        status.crashLoop = row["crash_loop"]
        status.message = row["message"]
        status.weightUsed = (row["weight_used"] as Int64?).map { Int($0) }
        status.residentBytes = (row["memory_bytes"] as Int64?).map { Int($0) }
        if let text = row["exchange_errors"] as String?, let object = try? JSONLine.decode(text) {
            status.exchangeErrors = object.compactMapValues { ($0 as? NSNumber)?.intValue }
        }
        return status
    }
}
