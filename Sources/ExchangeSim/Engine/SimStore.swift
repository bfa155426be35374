import Foundation

/// Keeps the simulator's accounts, balances, orders, trades and prices in its data directory
/// (`state.json`, written atomically), so a restart keeps them.
struct SimStore: Sendable {
    struct Snapshot: Codable {
        var accounts: [String: SimAccount]
        var nextOrderID: Int64
        var nextTradeID: Int64
        var prices: [String: Decimal]
    }

    let path: String

    init(directory: String) {
        path = directory + "/state.json"
    }

    func load() throws -> Snapshot? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            return try JSONDecoder().decode(Snapshot.self, from: data)
        } catch {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(path) is not a simulator state file: \(error)"])
        }
    }

    func save(_ snapshot: Snapshot) throws {
        let data = try JSONEncoder().encode(snapshot)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
