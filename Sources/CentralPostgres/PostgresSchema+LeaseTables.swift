extension PostgresSchema {
    /// Hosts and leases (pg-v2): which supervisor runs which user's worker, and the fence that
    /// refuses a write of a host whose lease on the user is no longer current.
    static let leaseTables: [String] = [
        """
        CREATE TABLE hosts (
            host_id text PRIMARY KEY,
            capacity integer NOT NULL,
            draining boolean NOT NULL DEFAULT false,
            seen_at timestamptz NOT NULL,
            started_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE leases (
            user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            host_id text,
            epoch bigint NOT NULL DEFAULT 0,
            expires_at timestamptz
        )
        """,
        "CREATE INDEX leases_host ON leases(host_id)",
        // Raises SQLSTATE CT001 unless `host` holds the user's lease at `epoch` and it has not
        // lapsed: every write of a worker's report runs it first, in the same transaction. The
        // row lock it takes makes a claim of the lease wait for the write, and is held no longer
        // than the transaction (ended by the server if its process stops: PostgresSession).
        """
        CREATE FUNCTION ctp_fence(fenced_user bigint, fenced_host text, fenced_epoch bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM leases WHERE user_id = fenced_user AND host_id = fenced_host AND epoch = fenced_epoch
                AND expires_at > now() FOR SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'host % no longer holds the lease of user % at epoch %', fenced_host, fenced_user, fenced_epoch
                    USING ERRCODE = 'CT001';
            END IF;
        END
        $$
        """,
    ]
}
