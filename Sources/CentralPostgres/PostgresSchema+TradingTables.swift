extension PostgresSchema {
    /// The trading tables (see CentralSchema for what each holds).
    static let tradingTables: [String] = []
}
