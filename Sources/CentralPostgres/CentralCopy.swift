import Common
import Foundation
import GRDB
import PostgresNIO

/// `supervisor migrate-to-postgres`: copies a single-machine installation's `central.sqlite`
/// into an empty PostgreSQL database, table by table in one transaction (every row, the encrypted
/// exchange keys unchanged, ids kept), then reads both back and compares them value by value.
///
/// Generic over the schema: each PostgreSQL column takes the SQLite column of the same name
/// (SQLite's implicit `rowid` for `row_id`), cast by PostgreSQL from its text (`timestamptz` from
/// the ISO-8601 times, `numeric` from the decimal text, `boolean` from 0/1), so a table added to
/// both schemas is copied without a change here.
public enum CentralCopy {
    /// Why a copy was refused or a verification failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// One table's columns on PostgreSQL, in order, with their types.
    struct Column {
        let name: String
        let type: String
        /// What the SQLite side selects for it.
        let source: String
    }

    /// Copies every table; `progress` hears each table's name and row count as it is done.
    @discardableResult
    public static func copy(from source: DatabasePool, to db: PostgresSession, progress: (String, Int) -> Void = { _, _ in }) throws -> [(table: String, rows: Int)] {
        try PostgresSchema.migrate(db)
        for table in PostgresSchema.tables {
            let rows = try db.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))"))
            if try rows.first?.decode(Bool.self) == true {
                throw Failure(description: "\(db.location) already holds rows in \(table): copy into an empty database")
            }
        }
        let plans = try PostgresSchema.tables.map { table in (table, try columns(of: table, source: source, db: db)) }
        return try db.transaction { tx in
            var counts: [(table: String, rows: Int)] = []
            for (table, columns) in plans {
                let count = try copy(table, columns: columns, from: source, into: tx)
                counts.append((table, count))
                progress(table, count)
            }
            for (table, columns) in plans {
                try moveIdentities(of: table, columns: columns, tx: tx)
            }
            return counts
        }
    }

    /// Reads every table back from both databases and compares the rows value by value (times to
    /// the millisecond, amounts as numbers); throws naming the first table that differs.
    public static func verify(from source: DatabasePool, to db: PostgresSession) throws {
        for table in PostgresSchema.tables {
            let columns = try columns(of: table, source: source, db: db)
            let sqliteRows = try source.read { sqlite in
                try Row.fetchAll(sqlite, sql: "SELECT \(columns.map(\.source).joined(separator: ", ")) FROM \(table)").map { row in
                    try columns.indices.map { try normalised(sqliteValue: row[$0], column: columns[$0], table: table) }
                }
            }.sorted(by: lexicographic)
            let selected = columns.map { pgText($0) }.joined(separator: ", ")
            let postgresRows = try db.query(PostgresQuery(unsafeSQL: "SELECT \(selected) FROM \(table)")).map { row in
                try row.makeRandomAccess().enumerated().map { index, cell in
                    normalised(postgresText: try cell.decode(String?.self), column: columns[index])
                }
            }.sorted(by: lexicographic)
            guard sqliteRows.count == postgresRows.count else {
                throw Failure(description: "\(table): \(sqliteRows.count) rows in central.sqlite, \(postgresRows.count) on PostgreSQL")
            }
            for (index, pair) in zip(sqliteRows, postgresRows).enumerated() where pair.0 != pair.1 {
                let column = columns.indices.first { pair.0[$0] != pair.1[$0] }.map { columns[$0].name } ?? "?"
                throw Failure(description: "\(table): row \(index + 1) differs in column \(column)")
            }
        }
    }

    // MARK: - Copying

    static func columns(of table: String, source: DatabasePool, db: PostgresSession) throws -> [Column] {
        let sqliteColumns = Set(try source.read { try $0.columns(in: table).map(\.name) })
        let rows = try db.query("""
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """)
        let columns = try rows.compactMap { row -> Column? in
            let (name, type) = try row.decode((String, String).self)
            if sqliteColumns.contains(name) { return Column(name: name, type: type, source: "\"\(name)\"") }
            if name == "row_id" { return Column(name: name, type: type, source: "rowid") }
            return nil
        }
        let missing = sqliteColumns.subtracting(columns.map(\.name))
        if let name = missing.sorted().first {
            throw Failure(description: "\(table).\(name) of central.sqlite has no column on PostgreSQL: this build's schemas differ")
        }
        return columns
    }

    static func copy(_ table: String, columns: [Column], from source: DatabasePool, into tx: PostgresTransaction) throws -> Int {
        let perBatch = max(1, min(500, 30_000 / columns.count))
        let names = columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        var total = 0
        var batch: [[String?]] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            var binds = PostgresBindings()
            var tuples: [String] = []
            for row in batch {
                let placeholders = row.indices.map { index -> String in
                    if let value = row[index] { binds.append(value) } else { binds.appendNull() }
                    return "$\(binds.count)::\(columns[index].type)"
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try tx.execute(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(names)) VALUES " + tuples.joined(separator: ", "), binds: binds))
            total += batch.count
            batch.removeAll(keepingCapacity: true)
        }
        try source.read { sqlite in
            let cursor = try Row.fetchCursor(sqlite, sql: "SELECT \(columns.map(\.source).joined(separator: ", ")) FROM \(table)")
            while let row = try cursor.next() {
                batch.append(try columns.indices.map { try text(row[$0], column: columns[$0], table: table) })
                if batch.count == perBatch { try flush() }
            }
        }
        try flush()
        return total
    }

    /// The next id PostgreSQL hands out follows the largest copied one.
    static func moveIdentities(of table: String, columns: [Column], tx: PostgresTransaction) throws {
        let identities = try tx.query("""
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) AND is_identity = 'YES'
            """)
        for row in identities {
            let column = try row.decode(String.self)
            try tx.execute(PostgresQuery(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), COALESCE((SELECT MAX("\(column)") FROM \(table)), 1),
                (SELECT MAX("\(column)") IS NOT NULL FROM \(table)))
                """))
        }
    }

    static func text(_ value: DatabaseValue, column: Column, table: String) throws -> String? {
        switch value.storage {
        case .null: return nil
        case .int64(let number): return String(number)
        case .double(let number): return "\(number)"
        case .string(let text): return text
        case .blob: throw Failure(description: "\(table).\(column.name) holds bytes, which no column of ours should")
        }
    }

    // MARK: - Comparing

    /// How PostgreSQL answers a column for the comparison: times in milliseconds, flags 0/1.
    static func pgText(_ column: Column) -> String {
        switch column.type {
        case "timestamp with time zone": "(round(extract(epoch FROM \"\(column.name)\") * 1000))::bigint::text"
        case "boolean": "\"\(column.name)\"::int::text"
        default: "\"\(column.name)\"::text"
        }
    }

    static func normalised(sqliteValue value: DatabaseValue, column: Column, table: String) throws -> String? {
        guard let text = try text(value, column: column, table: table) else { return nil }
        switch column.type {
        case "timestamp with time zone":
            guard let date = Timestamp.date(text) else { return "unreadable time \(text)" }
            return String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        default:
            return normalised(postgresText: text, column: column)
        }
    }

    static func normalised(postgresText text: String?, column: Column) -> String? {
        guard let text else { return nil }
        if column.type == "numeric", let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) { return "\(value)" }
        return text
    }

    static func lexicographic(_ a: [String?], _ b: [String?]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            return (x ?? "") < (y ?? "")
        }
        return a.count < b.count
    }
}
