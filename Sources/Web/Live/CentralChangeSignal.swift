import Common
import GRDB

/// How the event hub's poller learns that the central database changed: a number that moves at
/// every commit, from any process; nil when it cannot be read (the hub then reads every tick).
protocol CentralChangeSignal: Sendable {
    func version() async -> Int?
}

/// central.sqlite's `PRAGMA data_version`, on a read-only connection of its own: a pool's
/// readers would each give their own counter.
struct SQLiteChangeSignal: CentralChangeSignal {
    private let queue: DatabaseQueue?

    init(path: String) {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try? DatabaseQueue(path: path, configuration: configuration)
    }

    func version() async -> Int? {
        try? await queue?.read { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
    }
}

/// The database's own ``CentralDatabase/dataVersion()``: for stores with no file (the in-memory
/// ones of the unit tests), whose change counter moves at every write.
struct StoreChangeSignal: CentralChangeSignal {
    let database: CentralDatabase

    func version() async -> Int? { try? database.dataVersion() }
}

/// The database server's notifications (PostgreSQL's `LISTEN`/`NOTIFY`): reading it costs no
/// query; nil while the listener is not connected (the hub then reads every tick).
struct FeedChangeSignal: CentralChangeSignal {
    let feed: any CentralChangeFeed

    func version() async -> Int? { feed.version }
}
