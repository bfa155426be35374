import Common
import Logging
import ServiceLifecycle

/// Runs the hub's poller: the database's change counter every 200 ms, a full read at least every
/// 2 s (for what changes with time alone), a ping every 15 s.
struct EventHubService: Service {
    let hub: EventHub
    let changes: any CentralChangeSignal
    /// Told of every change seen, before its events go out: a page that reloads on an event
    /// must not be answered from a read made before the change (``ReadCache``).
    var watch: CentralChangeWatch? = nil
    let logger: Logger
    var interval: Duration = .milliseconds(200)
    /// The listener behind ``changes``, run beside the poller (PostgreSQL).
    var feed: (any CentralChangeFeed)? = nil

    init(hub: EventHub, changes: any CentralChangeSignal, logger: Logger) {
        self.hub = hub
        self.changes = changes
        self.logger = logger
    }

    /// Listens to the database server's notifications (PostgreSQL), or watches central.sqlite at
    /// `databasePath`, or, for a database with no file (the in-memory stores of the unit tests),
    /// its own change counter.
    init(hub: EventHub, databasePath: String, watch: CentralChangeWatch? = nil, logger: Logger) {
        let changes: any CentralChangeSignal
        if let feed = hub.database.changeFeed {
            changes = FeedChangeSignal(feed: feed)
        } else if hub.database.pool == nil {
            changes = StoreChangeSignal(database: hub.database)
        } else {
            changes = SQLiteChangeSignal(path: databasePath)
        }
        self.init(hub: hub, changes: changes, logger: logger)
        self.watch = watch
        feed = hub.database.changeFeed
    }

    func run() async throws {
        // At a graceful shutdown the streams end (an open stream would keep the server waiting)
        // and so does the poller, at once rather than after its sleep.
        await withGracefulShutdownHandler {
            try? await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    if let feed { group.addTask { await feed.run() } }
                    try await poll()
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            Task { await hub.closeAll() }
        }
    }

    func poll() async throws {
        var version = -1
        var lastFull = ContinuousClock.now
        var lastPing = ContinuousClock.now
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            let now = ContinuousClock.now
            // A user stays watched a while after the last page left, so that a page that
            // reconnects finds what it missed.
            guard await hub.isWatching else { continue }
            let current = await changes.version() ?? -2
            if current != version || current < 0 || now - lastFull >= .seconds(2) {
                if current != version { watch?.invalidate() }
                version = current
                lastFull = now
                await hub.poll()
            }
            if now - lastPing >= .seconds(15) {
                lastPing = now
                await hub.ping()
            }
        }
    }
}
