import Common
import Foundation
import GRDB
import Testing

/// The list queries of central.sqlite are answered from an index in the order they ask for:
/// no full scan, no temporary sort (EXPLAIN QUERY PLAN on a migrated file).
@Suite struct CentralQueryPlanTests {
    static let queries = [
        "SELECT * FROM fills WHERE user_id = 1 AND (NULL IS NULL OR symbol = NULL) AND time < 'z' ORDER BY time DESC, trade_id DESC LIMIT 100",
        "SELECT * FROM fills WHERE user_id = 1 AND (NULL IS NULL OR symbol = NULL) AND (NULL IS NULL OR side = NULL) AND time >= 'a' AND time < 'z' "
            + "ORDER BY time DESC, trade_id DESC LIMIT 100",
        "SELECT rowid AS row_id, * FROM fills WHERE user_id = 1 AND rowid > 5 ORDER BY rowid LIMIT 100",
        "SELECT * FROM orders WHERE user_id = 1 AND (NULL IS NULL OR symbol = NULL) AND created_at < 'z' ORDER BY created_at DESC, client_order_id DESC LIMIT 50",
        "SELECT * FROM orders WHERE user_id = 1 AND updated_at >= 'a' ORDER BY updated_at, client_order_id LIMIT 50",
        "SELECT * FROM orders WHERE user_id = 1 AND order_id = 5",
        "SELECT count(*) FROM orders WHERE status IN ('NEW', 'PARTIALLY_FILLED')",
        "SELECT id, signal FROM signals WHERE user_id = 1 AND id > 5 ORDER BY id LIMIT 100",
        "SELECT signal FROM signals WHERE user_id = 1 AND (NULL IS NULL OR symbol = NULL) AND time < 'z' ORDER BY time DESC, id DESC LIMIT 100",
        "SELECT * FROM commands WHERE user_id = 1 AND command = 'settings_changed' ORDER BY id DESC LIMIT 1",
        "SELECT * FROM worker_events WHERE user_id = 1 ORDER BY id DESC LIMIT 30",
        "SELECT * FROM sessions WHERE id_hash = 'x'",
        "DELETE FROM sessions WHERE expires_at <= 'a' OR last_seen_at < 'b'",
    ]

    @Test func everyListQueryUsesAnIndexInItsOrder() throws {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        _ = try CentralDatabase.migrate(directory)
        let file = try DatabaseQueue(path: directory.centralDatabase)
        for query in Self.queries {
            let plan = try file.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query).map { $0["detail"] as String }
            }
            #expect(!plan.isEmpty)
            #expect(!plan.contains { $0.hasPrefix("SCAN ") || $0.contains("TEMP B-TREE") }, "\(query): \(plan)")
        }
    }
}
