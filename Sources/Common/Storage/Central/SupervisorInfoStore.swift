import Foundation
import GRDB

/// The `supervisor_info` table: facts about the running supervisor (pid, start time, exchange
/// mode, whether it is running) for the web. Written by the supervisor only.
public protocol SupervisorInfoStore: Sendable {
    func set(_ values: [String: String]) throws
    func all() throws -> [String: String]
}

public struct SQLiteSupervisorInfoStore: SupervisorInfoStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func set(_ values: [String: String]) throws {
        try db.write { db in
            for (key, value) in values {
                try db.execute(sql: "INSERT OR REPLACE INTO supervisor_info (key, value) VALUES (?, ?)", arguments: [key, value])
            }
        }
    }

    public func all() throws -> [String: String] {
        try db.read { db in
            var result: [String: String] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM supervisor_info")) { result[row["key"]] = row["value"] }
            return result
        }
    }
}
