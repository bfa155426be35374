import Foundation
import GRDB
import Synchronization

/// Users' optimisations (`optimizations`): what was asked, how it ended and its report, kept
/// after the run. Written by the web, which runs them.
public protocol OptimizationStore: Sendable {
    func create(_ record: OptimizationRecord) throws
    /// Ends a running optimisation: `done` with its report, `failed` with its error, `cancelled`.
    func finish(id: String, status: OptimizationRecord.Status, report: String?, error: String?, at: Date) throws
    /// The user's optimisations, newest first, without their reports.
    func list(user: UserID, limit: Int) throws -> [OptimizationRecord]
    func get(user: UserID, id: String) throws -> OptimizationRecord?
    /// Marks what `runner` was running when it stopped as interrupted; returns how many.
    func interruptRunning(runner: String, at: Date) throws -> Int
}

public struct OptimizationRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case running, done, failed, cancelled, interrupted
    }

    public let id: String
    public let user: UserID
    public let createdAt: Date
    public var finishedAt: Date?
    public var status: Status
    public let strategy: String
    public let symbol: String
    /// The web that runs it (its host and data directory): only that web marks it interrupted
    /// when it starts again.
    public let runner: String
    /// The request as JSON (``StudyRequest`` with the candles' source).
    public let request: String
    public var report: String?
    public var error: String?

    public init(
        id: String, user: UserID, createdAt: Date, finishedAt: Date? = nil, status: Status = .running, strategy: String, symbol: String, runner: String = "",
        request: String, report: String? = nil, error: String? = nil
    ) {
        self.id = id
        self.user = user
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.status = status
        self.strategy = strategy
        self.symbol = symbol
        self.runner = runner
        self.request = request
        self.report = report
        self.error = error
    }
}

public struct SQLiteOptimizationStore: OptimizationStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func create(_ r: OptimizationRecord) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO optimizations (id, user_id, created_at, status, strategy, symbol, runner, request)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [r.id, r.user.rawValue, Timestamp.string(r.createdAt), r.status.rawValue, r.strategy, r.symbol, r.runner, r.request])
        }
    }

    public func finish(id: String, status: OptimizationRecord.Status, report: String?, error: String?, at: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE optimizations SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
                arguments: [status.rawValue, report, error, Timestamp.string(at), id])
        }
    }

    static func record(_ row: Row, report: Bool) -> OptimizationRecord {
        OptimizationRecord(
            id: row["id"], user: UserID(row["user_id"]), createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
            finishedAt: (row["finished_at"] as String?).flatMap(Timestamp.date), status: OptimizationRecord.Status(rawValue: row["status"]) ?? .failed,
            strategy: row["strategy"], symbol: row["symbol"], runner: row["runner"], request: row["request"], report: report ? row["report"] : nil, error: row["error"])
    }

    public func list(user: UserID, limit: Int) throws -> [OptimizationRecord] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, user_id, created_at, finished_at, status, strategy, symbol, runner, request, error FROM optimizations
                    WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ?
                    """, arguments: [user.rawValue, limit]
            ).map { Self.record($0, report: false) }
        }
    }

    public func get(user: UserID, id: String) throws -> OptimizationRecord? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM optimizations WHERE user_id = ? AND id = ?", arguments: [user.rawValue, id]).map { Self.record($0, report: true) }
        }
    }

    public func interruptRunning(runner: String, at: Date) throws -> Int {
        try db.write { db in
            try db.execute(
                sql: "UPDATE optimizations SET status = 'interrupted', error = 'the web stopped while it ran', finished_at = ? WHERE status = 'running' AND runner = ?",
                arguments: [Timestamp.string(at), runner])
            return db.changesCount
        }
    }
}

/// ``OptimizationStore`` in memory, for unit tests.
public final class InMemoryOptimizationStore: OptimizationStore {
    private let records = Mutex<[OptimizationRecord]>([])

    public init() {}

    public func create(_ record: OptimizationRecord) throws { records.withLock { $0.append(record) } }

    public func finish(id: String, status: OptimizationRecord.Status, report: String?, error: String?, at: Date) throws {
        records.withLock { list in
            guard let i = list.firstIndex(where: { $0.id == id && $0.status == .running }) else { return }
            list[i].status = status
            list[i].report = report
            list[i].error = error
            list[i].finishedAt = at
        }
    }

    public func list(user: UserID, limit: Int) throws -> [OptimizationRecord] {
        records.withLock { list in
            list.filter { $0.user == user }.sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) }.prefix(limit).map {
                var record = $0
                record.report = nil
                return record
            }
        }
    }

    public func get(user: UserID, id: String) throws -> OptimizationRecord? { records.withLock { $0.first { $0.user == user && $0.id == id } } }

    public func interruptRunning(runner: String, at: Date) throws -> Int {
        records.withLock { list in
            var count = 0
            for i in list.indices where list[i].status == .running && list[i].runner == runner {
                list[i].status = .interrupted
                list[i].error = "the web stopped while it ran"
                list[i].finishedAt = at
                count += 1
            }
            return count
        }
    }
}
