extension PostgresSchema {
    /// The portfolio tables (see CentralSchema for what each holds).
    static let portfolioTables: [String] = []
}
