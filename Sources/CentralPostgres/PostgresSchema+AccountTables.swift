extension PostgresSchema {
    /// The account tables (see CentralSchema for what each holds).
    static let accountTables: [String] = []
}
