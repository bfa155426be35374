import CentralPostgres
import Foundation

/// The throwaway PostgreSQL server of this test process (``PostgresServer``), under
/// `var/pg-test/`, started at first use and stopped when the test process exits. Each test takes
/// a database of its own (``PostgresServer/newDatabase()``).
enum PostgresCluster {
    static let shared: Result<PostgresServer, any Error> = Result {
        let server = try PostgresServer.start(directory: TestPaths.packageRoot + "/var/pg-test/cluster-\(getpid())")
        atexit { if case .success(let server) = PostgresCluster.shared { server.stop() } }
        return server
    }

    static func get() throws -> PostgresServer { try shared.get() }
}
