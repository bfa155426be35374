/// Word from the database server that the central database changed, pushed rather than polled
/// (PostgreSQL's `LISTEN`/`NOTIFY`). Writers announce each batch of writes
/// (``CentralDatabase/announceChanges()``: the supervisor once per pass that wrote reports, not
/// once per heartbeat); ``version`` moves at each announcement, and at each (re)connection of
/// the listener, since announcements made while it was away are lost and a catch-up read must
/// follow.
public protocol CentralChangeFeed: Sendable {
    /// Moves at every announcement and reconnection; nil while not listening (then poll).
    var version: Int? { get }
    /// Listens until the task is cancelled, reconnecting after a failure.
    func run() async
}
