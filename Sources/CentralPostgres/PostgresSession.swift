import Common
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// What the stores run their statements on: the session (each statement its own transaction, or
/// a transaction of the store's) or one transaction that holds them all (a fenced report write:
/// ``Common/CentralDatabase/fenced(user:lease:_:)``), in which a store's own transaction is part
/// of the enclosing one.
public protocol PostgresExecutor: Sendable {
    var location: PostgresLocation { get }
    @discardableResult func query(_ query: PostgresQuery) throws -> [PostgresRow]
    @discardableResult func execute(_ query: PostgresQuery) throws -> Int
    func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws -> T
}

/// A few connections to one PostgreSQL database, used synchronously.
///
/// The central database's stores are synchronous (as GRDB's are: the web, the supervisor and the
/// tests call them from any thread), so each call blocks its thread until PostgreSQL answers.
/// The connections live on this session's own event loop, never a caller's, so blocking cannot
/// starve the loop that would answer. A connection PostgreSQL closed (a restart) is dropped at
/// its next use and a new one is made, so a restarted server is used again without a restart of ours.
public final class PostgresSession: PostgresExecutor {
    public let location: PostgresLocation
    let configuration: PostgresConnection.Configuration
    let group: MultiThreadedEventLoopGroup
    let idle = NIOLockedValueBox<[PostgresConnection]>([])
    let counter = NIOLockedValueBox<Int>(0)
    let logger: Logger
    static let maxIdle = 8
    /// Our transactions send their statements back to back; one idle this long has a stopped
    /// process behind it.
    public static let idleInTransactionTimeoutMs = 5000

    public init(_ location: PostgresLocation, logger: Logger = Logger(label: "postgres")) {
        self.location = location
        self.logger = logger
        configuration = Self.configuration(location)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// How every connection to `location` is made.
    static func configuration(_ location: PostgresLocation) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: .disable
        )
        configuration.options.connectTimeout = .seconds(10)
        // A transaction whose process stopped mid-way (SIGSTOP, a hung host) would hold its
        // locks (a fenced write's lock on a lease row) for as long as it is stopped, and keep
        // every other host from taking that user over: the server ends it after this long idle.
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", "\(idleInTransactionTimeoutMs)")
        ]
        return configuration
    }

    deinit {
        // A connection must be closed before it is released (PostgresNIO checks).
        for connection in idle.withLockedValue({ $0 }) { Self.close(connection) }
        group.shutdownGracefully { _ in }
    }

    // MARK: - Queries

    /// Runs one statement in its own transaction and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try withConnection { try Self.run(query, on: $0, logger: logger).rows }
    }

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try withConnection { try Self.run(query, on: $0, logger: logger).metadata.rows ?? 0 }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try withConnection { connection in
            let transaction = PostgresTransaction(connection: connection, location: location, logger: logger)
            try transaction.execute("BEGIN")
            do {
                let result = try body(transaction)
                try transaction.execute("COMMIT")
                return result
            } catch {
                _ = try? transaction.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// A statement PostgreSQL has not answered in this long fails, and its connection is closed:
    /// a server that stopped answering (stopped, partitioned) must not hold a caller forever.
    static let statementTimeout: TimeAmount = .seconds(30)

    static func run(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) throws -> PostgresQueryResult {
        // Checked and sent on the connection's own loop, so that it cannot close in between: a
        // statement written to a closed connection (the server ended it while this caller was
        // stopped) would never be answered.
        let loop = connection.eventLoop
        let answer = loop.makePromise(of: PostgresQueryResult.self)
        loop.execute {
            guard !connection.isClosed else {
                answer.fail(PostgresFailure(sqlState: nil, description: "PostgreSQL: the connection was closed"))
                return
            }
            connection.query(query, logger: logger).cascade(to: answer)
        }
        let timeout = loop.scheduleTask(in: statementTimeout) {
            answer.fail(PostgresFailure(sqlState: nil, description: "PostgreSQL: no answer in \(statementTimeout.nanoseconds / 1_000_000_000) s"))
            let closing: EventLoopFuture<Void> = connection.close()
            _ = closing
        }
        defer { timeout.cancel() }
        do {
            return try answer.futureResult.wait()
        } catch let error as PSQLError {
            throw PostgresFailure(error)
        }
    }

    // MARK: - Connections

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkout()
        defer { checkin(connection) }
        return try body(connection)
    }

    func checkout() throws -> PostgresConnection {
        while let connection = idle.withLockedValue({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        let id = counter.withLockedValue { value -> Int in
            value += 1
            return value
        }
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            throw PostgresFailure(connecting: location, error)
        }
    }

    static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        try? closing.wait()
    }

    func checkin(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = idle.withLockedValue { idle -> Bool in
            guard idle.count < Self.maxIdle else { return false }
            idle.append(connection)
            return true
        }
        if !kept { Self.close(connection) }
    }
}

/// One transaction's connection (``PostgresSession/transaction(_:)``).
public struct PostgresTransaction: PostgresExecutor {
    let connection: PostgresConnection
    public let location: PostgresLocation
    let logger: Logger

    /// Already in a transaction: `body` runs in this one.
    public func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws -> T { try body(self) }

    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try PostgresSession.run(query, on: connection, logger: logger).rows
    }

    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try PostgresSession.run(query, on: connection, logger: logger).metadata.rows ?? 0
    }
}

/// A PostgreSQL error with what the server said (PostgresNIO's own description hides it), and
/// its SQLSTATE for the stores that turn one into a domain error (a taken name: `23505`).
public struct PostgresFailure: CentralDatabaseFailure, CustomStringConvertible {
    public let sqlState: String?
    public let description: String

    init(_ error: PSQLError) {
        sqlState = error.serverInfo?[.sqlState]
        if let message = error.serverInfo?[.message] {
            description = "PostgreSQL: \(message)" + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
        } else {
            description = "PostgreSQL: \(error.code)"
        }
    }

    init(connecting location: PostgresLocation, _ error: any Error) {
        sqlState = (error as? PSQLError)?.serverInfo?[.sqlState]
        let said = (error as? PSQLError)?.serverInfo?[.message] ?? "\((error as? PSQLError)?.code.description ?? String(describing: error))"
        description = "cannot connect to \(location): \(said)"
    }

    init(sqlState: String?, description: String) {
        self.sqlState = sqlState
        self.description = description
    }

    /// The server did not answer, or ended the connection (a restart, a shutdown, too many
    /// clients, a transaction left idle too long): no SQLSTATE, or a connection exception (08),
    /// an operator intervention (57P), insufficient resources (53) or 25P03.
    public var isUnavailable: Bool {
        guard let sqlState else { return true }
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") || sqlState.hasPrefix("53") || sqlState == "25P03"
    }

    /// A unique index refused the write.
    public var isUniqueViolation: Bool { sqlState == "23505" }
}
