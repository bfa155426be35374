import Foundation

/// Where the central database lives when it is on PostgreSQL: `database.url` /
/// `TRADER_DATABASE_URL`, `postgres://user[:password]@host[:port]/database`. Parsed here, with
/// an error naming what is wrong, so a bad URL stops the process before it starts anything.
/// The password is never part of `description`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Why a `database.url` was refused.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public var description: String { "database.url: \(reason)" }
        public init(reason: String) { self.reason = reason }
    }

    /// Parses `postgres://` or `postgresql://` URLs; anything else is refused with the reason.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw Invalid(reason: "not a URL (expected postgres://user@host:port/database)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(reason: "the scheme is \"\(scheme)\"; only postgres:// is supported")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(reason: "no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(reason: "no user name (postgres://USER@host/database)") }
        let name = String(components.path.drop { $0 == "/" })
        guard !name.isEmpty, !name.contains("/") else { throw Invalid(reason: "no database name (postgres://user@host/DATABASE)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(reason: "port \(port) is out of range") }
        if let items = components.queryItems, let unknown = items.first(where: { !($0.name == "sslmode" && $0.value == "disable") }) {
            throw Invalid(reason: "the parameter \"\(unknown.name)\" is not supported (only sslmode=disable)")
        }
        self.init(host: host, port: port, username: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: name.removingPercentEncoding ?? name)
    }

    /// The whole URL, password included: only for the file the supervisor hands its web
    /// (``DataDirectory/databaseURLFile``), never for a log, an argument or an environment.
    public var connectionURL: String {
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        let credentials = encoded(username) + (password.map { ":" + encoded($0) } ?? "")
        return "postgres://\(credentials)@\(host):\(port)/\(encoded(database))"
    }

    /// The location without its password, for logs and messages.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}
