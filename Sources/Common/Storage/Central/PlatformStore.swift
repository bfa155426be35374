import Foundation
import GRDB

/// The installation's own settings that administrators change (`platform_settings`): the kill
/// switch, later the policies and the sign-up mode. Written by the web.
public protocol PlatformStore: Sendable {
    func value(_ key: String) throws -> String?
    /// Sets (or, with nil, removes) a setting.
    func set(_ key: String, to value: String?, by actor: String, at: Date) throws
}

/// The names of the platform's settings.
public enum PlatformSetting {
    /// `on` while an administrator's kill switch holds every bot stopped.
    public static let killSwitch = "kill_switch"
}

extension PlatformStore {
    /// Whether the kill switch is on.
    public func isHalted() throws -> Bool { try value(PlatformSetting.killSwitch) == "on" }
}

public struct SQLitePlatformStore: PlatformStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func value(_ key: String) throws -> String? {
        try db.read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM platform_settings WHERE key = ?"), arguments: [key]) }
    }

    public func set(_ key: String, to value: String?, by actor: String, at: Date) throws {
        try db.write { db in
            if let value {
                try db.execute(
                    sql: """
                        INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                        """, arguments: [key, value, Timestamp.string(at), actor])
            } else {
                try db.execute(sql: "DELETE FROM platform_settings WHERE key = ?", arguments: [key])
            }
        }
    }
}
