extension PostgresSchema {
    /// The portfolio tables (see CentralSchema for what each holds): one row per user in
    /// `portfolios`, `exchange_status` and `bot_summary`, and the user's equity points, one per
    /// millisecond as SQLite's primary key makes them.
    static let portfolioTables: [String] = [
        """
        CREATE TABLE portfolios (
            user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            total_usdt numeric NOT NULL,
            unpriced text NOT NULL,
            balances text NOT NULL,
            balances_at timestamptz NOT NULL,
            prices_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE exchange_status (
            user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            reachable boolean NOT NULL,
            since timestamptz,
            reason text,
            updated_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE equity_points (
            user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            time timestamptz NOT NULL,
            total_usdt numeric NOT NULL,
            bot_id bigint,
            PRIMARY KEY (user_id, time)
        )
        """,
        """
        CREATE TABLE bot_summary (
            user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            today_pnl_usdt numeric,
            updated_at timestamptz NOT NULL
        )
        """,
    ]
}
