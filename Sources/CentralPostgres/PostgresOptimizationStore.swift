import Common
import Foundation
import PostgresNIO

public struct PostgresOptimizationStore: OptimizationStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func create(_ r: OptimizationRecord) throws {
        try db.execute(
            """
            INSERT INTO optimizations (id, user_id, created_at, status, strategy, symbol, runner, request)
            VALUES (\(r.id), \(r.user.rawValue), \(PostgresValues.time(r.createdAt)), \(r.status.rawValue), \(r.strategy), \(r.symbol), \(r.runner), \(r.request))
            """)
    }

    public func finish(id: String, status: OptimizationRecord.Status, report: String?, error: String?, at: Date) throws {
        try db.execute(
            """
            UPDATE optimizations SET status = \(status.rawValue), report = \(report), error = \(error), finished_at = \(PostgresValues.time(at))
            WHERE id = \(id) AND status = 'running'
            """)
    }

    func records(_ rows: [PostgresRow]) throws -> [OptimizationRecord] {
        try rows.map { row in
            let (id, user, created, finished, status, strategy, symbol, runner, request, report, error) = try row.decode(
                (String, Int64, Date, Date?, String, String, String, String, String, String?, String?).self)
            return OptimizationRecord(
                id: id, user: UserID(user), createdAt: PostgresValues.readTime(created), finishedAt: finished.map(PostgresValues.readTime),
                status: OptimizationRecord.Status(rawValue: status) ?? .failed, strategy: strategy, symbol: symbol, runner: runner, request: request, report: report,
                error: error)
        }
    }

    public func list(user: UserID, limit: Int) throws -> [OptimizationRecord] {
        try records(
            db.query(
                """
                SELECT id, user_id, created_at, finished_at, status, strategy, symbol, runner, request, NULL::text, error FROM optimizations
                WHERE user_id = \(user.rawValue) ORDER BY created_at DESC, id LIMIT \(limit)
                """))
    }

    public func get(user: UserID, id: String) throws -> OptimizationRecord? {
        try records(
            db.query(
                """
                SELECT id, user_id, created_at, finished_at, status, strategy, symbol, runner, request, report, error FROM optimizations
                WHERE user_id = \(user.rawValue) AND id = \(id)
                """)
        ).first
    }

    public func interruptRunning(runner: String, at: Date) throws -> Int {
        try db.execute(
            """
            UPDATE optimizations SET status = 'interrupted', error = 'the web stopped while it ran', finished_at = \(PostgresValues.time(at))
            WHERE status = 'running' AND runner = \(runner)
            """)
    }
}
