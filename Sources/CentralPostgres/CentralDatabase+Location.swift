import Common
import Foundation
import Logging

extension CentralDatabase {
    /// The supervisor's central database, created or upgraded: on PostgreSQL when `database.url`
    /// names one, else `central.sqlite` in the data directory.
    public static func migrate(_ location: PostgresLocation?, directory: DataDirectory, logger: Logger) throws -> CentralDatabase {
        guard let location else { return try migrate(directory) }
        return try migrate(PostgresSession(location, logger: logger))
    }

    /// Every other process's: the database a supervisor has migrated.
    public static func open(_ location: PostgresLocation?, directory: DataDirectory, logger: Logger) throws -> CentralDatabase {
        guard let location else { return try open(directory) }
        return try open(PostgresSession(location, logger: logger))
    }
}
