import Common
import Foundation
import PostgresNIO

/// The `ProcessStatusStore` on PostgreSQL.
public struct PostgresProcessStatusStore: ProcessStatusStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    static let columns = """
        process, user_id, state, pid, started_at, last_heartbeat_at, reported_state, restarts, last_exit_status, last_exit_at,
        next_restart_at, crash_loop, message, updated_at, weight_used, exchange_errors, memory_bytes
        """

    /// Rows are written in name order (a stable sort: of one name saved twice, the later wins, as
    /// in SQLite), so two saves at once lock their common rows in the same order, never in a cycle.
    public func save(_ statuses: [ProcessStatus], at: Date) throws {
        guard !statuses.isEmpty else { return }
        let ordered = statuses.sorted { Array($0.process.utf8).lexicographicallyPrecedes($1.process.utf8) }
        try db.transaction { tx in
            for status in ordered { try tx.execute(Self.upsert(status, at: at)) }
        }
    }

    /// SQLite's `INSERT OR REPLACE`: every column is the new row's.
    static func upsert(_ status: ProcessStatus, at: Date) -> PostgresQuery {
        let errors = status.exchangeErrors.isEmpty ? nil : JSONLine.encode(status.exchangeErrors)
        return """
            INSERT INTO process_status (process, user_id, state, pid, started_at, last_heartbeat_at, reported_state, restarts,
                last_exit_status, last_exit_at, next_restart_at, crash_loop, message, updated_at, weight_used, exchange_errors, memory_bytes)
            VALUES (\(status.process), \(status.userID?.rawValue), \(status.state.rawValue), \(status.pid.map { Int64($0) }),
                \(status.startedAt.map(PostgresValues.time)), \(status.lastHeartbeatAt.map(PostgresValues.time)), \(status.reportedState),
                \(Int64(status.restarts)), \(status.lastExitStatus), \(status.lastExitAt.map(PostgresValues.time)),
                \(status.nextRestartAt.map(PostgresValues.time)), \(status.crashLoop), \(status.message), \(PostgresValues.time(at)),
                \(status.weightUsed.map { Int64($0) }), \(errors), \(status.residentBytes.map { Int64($0) }))
            ON CONFLICT (process) DO UPDATE SET user_id = excluded.user_id, state = excluded.state, pid = excluded.pid,
                started_at = excluded.started_at, last_heartbeat_at = excluded.last_heartbeat_at, reported_state = excluded.reported_state,
                restarts = excluded.restarts, last_exit_status = excluded.last_exit_status, last_exit_at = excluded.last_exit_at,
                next_restart_at = excluded.next_restart_at, crash_loop = excluded.crash_loop, message = excluded.message,
                updated_at = excluded.updated_at, weight_used = excluded.weight_used, exchange_errors = excluded.exchange_errors,
                memory_bytes = excluded.memory_bytes
            """
    }

    public func remove(process: String) throws {
        try db.execute("DELETE FROM process_status WHERE process = \(process)")
    }

    public func status(process: String) throws -> ProcessStatus? {
        try db.query("SELECT \(unescaped: Self.columns) FROM process_status WHERE process = \(process)").first.map(Self.decode)
    }

    /// In byte order, as SQLite's `BINARY` collation sorts, whatever the database's locale.
    public func all() throws -> [ProcessStatus] {
        try db.query("SELECT \(unescaped: Self.columns) FROM process_status ORDER BY process COLLATE \"C\"").map(Self.decode)
    }

    public func markAllStopped(message: String, at: Date) throws {
        try db.execute(
            """
            UPDATE process_status SET state = 'stopped', pid = NULL, next_restart_at = NULL, message = \(message),
                updated_at = \(PostgresValues.time(at))
            WHERE state <> 'stopped'
            """
        )
    }

    /// A row of ``columns``, read as SQLite's store reads it (an unknown state is `stopped`).
    static func decode(_ row: PostgresRow) throws -> ProcessStatus {
        let (
            process, user, state, pid, startedAt, heartbeatAt, reportedState, restarts, exitStatus, exitAt, nextRestartAt, crashLoop, message,
            _, weightUsed, errors, memory
        ) = try row.decode(
            (String, Int64?, String, Int64?, Date?, Date?, String?, Int64, String?, Date?, Date?, Bool, String?, Date, Int64?, String?, Int64?).self
        )
        var status = ProcessStatus(process: process, userID: user.map(UserID.init(rawValue:)), state: ProcessStatus.State(rawValue: state) ?? .stopped)
        status.pid = pid.map { Int32(truncatingIfNeeded: $0) }
        status.startedAt = startedAt.map(PostgresValues.readTime)
        status.lastHeartbeatAt = heartbeatAt.map(PostgresValues.readTime)
        status.reportedState = reportedState
        status.residentBytes = memory.map { Int($0) }
        status.restarts = Int(restarts)
        status.lastExitStatus = exitStatus
        status.lastExitAt = exitAt.map(PostgresValues.readTime)
        status.nextRestartAt = nextRestartAt.map(PostgresValues.readTime)
        status.crashLoop = crashLoop
        status.message = message
        status.weightUsed = weightUsed.map { Int($0) }
        if let errors, let object = try? JSONLine.decode(errors) {
            status.exchangeErrors = object.compactMapValues { ($0 as? NSNumber)?.intValue }
        }
        return status
    }
}
