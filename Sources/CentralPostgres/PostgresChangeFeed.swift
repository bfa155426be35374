import Common
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The central database's changes as PostgreSQL pushes them: one connection that `LISTEN`s on
/// ``channel``, to which writers send one `NOTIFY` per batch of writes
/// (``CentralDatabase/announceChanges()``). Each notification moves ``version``; so does each
/// (re)connection, since what was announced while the listener was away is lost and the web must
/// read everything once more. While not connected ``version`` is nil and the web polls.
public final class PostgresChangeFeed: CentralChangeFeed {
    public static let channel = "ctp_changes"

    struct State {
        var count = 0
        var listening = false
    }

    let location: PostgresLocation
    let logger: Logger
    let retry: Duration
    let state = Mutex(State())

    public init(_ location: PostgresLocation, retry: Duration = .seconds(1), logger: Logger = Logger(label: "postgres.listen")) {
        self.location = location
        self.retry = retry
        self.logger = logger
    }

    public var version: Int? { state.withLock { $0.listening ? $0.count : nil } }

    public func run() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: PostgresSession.configuration(location), id: 0, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        state.withLock {
                            $0.count += 1
                            $0.listening = true
                        }
                        if failing { logger.info("listen.resumed", metadata: ["channel": "\(Self.channel)"]) }
                        failing = false
                        for try await _ in notifications {
                            state.withLock { $0.count += 1 }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if !failing && !Task.isCancelled {
                    logger.warning("listen.failed", metadata: ["channel": "\(Self.channel)", "error": "\(String(reflecting: error))"])
                }
                failing = true
            }
            state.withLock { $0.listening = false }
            try? await Task.sleep(for: retry)
        }
    }
}
