extension PostgresSchema {
    /// The bot tables (see CentralSchema for what each holds).
    static let botTables: [String] = []
}
