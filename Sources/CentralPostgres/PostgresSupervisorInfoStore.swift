import Common
import Foundation
import PostgresNIO

/// The `SupervisorInfoStore` on PostgreSQL.
public struct PostgresSupervisorInfoStore: SupervisorInfoStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// In one transaction, keys in order, so two supervisors setting the same keys at once lock
    /// them in the same order and cannot deadlock.
    public func set(_ values: [String: String]) throws {
        guard !values.isEmpty else { return }
        try db.transaction { tx in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                try tx.execute("INSERT INTO supervisor_info (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            }
        }
    }

    public func all() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try db.query("SELECT key, value FROM supervisor_info") {
            let (key, value) = try row.decode((String, String).self)
            result[key] = value
        }
        return result
    }
}
