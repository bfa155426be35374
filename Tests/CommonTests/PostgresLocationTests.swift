import Common
import Foundation
import Testing

/// `database.url`: what it accepts, what it refuses (naming why), and that its password stays
/// out of every description.
@Suite struct PostgresLocationTests {
    @Test func aURLNamesHostPortUserPasswordAndDatabase() throws {
        let full = try PostgresLocation(url: "postgres://trader:s%40cret@db.internal:6543/ctp")
        #expect(full == PostgresLocation(host: "db.internal", port: 6543, username: "trader", password: "s@cret", database: "ctp"))
        #expect(full.description == "postgres://trader@db.internal:6543/ctp")
        #expect(!full.description.contains("s@cret") && !"\(full)".contains("cret"))
        // The URL handed to the web reads back the same, password included.
        #expect(try PostgresLocation(url: full.connectionURL) == full)

        let short = try PostgresLocation(url: "postgresql://ctp@127.0.0.1/central?sslmode=disable")
        #expect(short.port == 5432 && short.password == nil && short.database == "central")
    }

    @Test(arguments: [
        ("", "not a URL"),
        ("mysql://u@h/db", "only postgres:// is supported"),
        ("postgres:///db", "no host"),
        ("postgres://h/db", "no user name"),
        ("postgres://u@h", "no database name"),
        ("postgres://u@h/", "no database name"),
        ("postgres://u@h/a/b", "no database name"),
        ("postgres://u@h:0/db", "port 0 is out of range"),
        ("postgres://u@h/db?sslmode=require", "\"sslmode\" is not supported"),
        ("postgres://u@h/db?application_name=x", "\"application_name\" is not supported"),
    ])
    func aBadURLIsRefusedWithTheReason(url: String, reason: String) {
        #expect {
            try PostgresLocation(url: url)
        } throws: { error in
            (error as? PostgresLocation.Invalid)?.reason.contains(reason) == true
        }
    }

    @Test func theConfigurationTakesItFromTheFileOrTheEnvironmentAndThePasswordFromItsOwnVariable() async throws {
        #expect(try await ConfigLoader.load(file: nil, environment: [:]).database == nil)
        let config = try await ConfigLoader.load(
            file: nil, environment: ["TRADER_DATABASE_URL": "postgres://ctp@127.0.0.1:5433/central", "TRADER_DATABASE_PASSWORD": "from-env"])
        #expect(config.database == PostgresLocation(host: "127.0.0.1", port: 5433, username: "ctp", password: "from-env", database: "central"))
        // A password in the URL wins over the variable.
        let inURL = try await ConfigLoader.load(
            file: nil, environment: ["TRADER_DATABASE_URL": "postgres://ctp:in-url@h/central", "TRADER_DATABASE_PASSWORD": "from-env"])
        #expect(inURL.database?.password == "in-url")
        await #expect {
            try await ConfigLoader.load(file: nil, environment: ["TRADER_DATABASE_URL": "postgres://h/central"])
        } throws: { error in
            "\(error)".contains("environment variable TRADER_DATABASE_URL") && "\(error)".contains("no user name")
        }
    }
}
