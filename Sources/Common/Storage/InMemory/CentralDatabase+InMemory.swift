import Foundation

extension CentralDatabase {
    /// A central database held in memory, for unit tests (the web's routes, the event hub): every
    /// store an in-memory twin of the SQLite one, sharing one change counter for `dataVersion()`.
    public static func inMemory() -> CentralDatabase {
        let changes = InMemoryChangeCounter()
        return CentralDatabase(
            users: InMemoryUserStore(changes: changes), sessions: InMemorySessionStore(changes: changes),
            exchangeKeys: InMemoryExchangeKeyStore(changes: changes), processes: InMemoryProcessStatusStore(changes: changes),
            commands: InMemoryCommandStore(changes: changes), workerEvents: InMemoryWorkerEventStore(changes: changes),
            supervisorInfo: InMemorySupervisorInfoStore(changes: changes), portfolios: InMemoryPortfolioStore(changes: changes),
            trading: InMemoryTradingStore(changes: changes), bots: InMemoryBotStore(changes: changes), probe: changes
        )
    }
}
