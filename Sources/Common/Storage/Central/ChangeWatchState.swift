/// The decisions of ``CentralChangeWatch``, with no clock and no database: when to look at the
/// file's `data_version` again, and when the generation moves.
///
/// The generation is what caches stamp their entries with: an entry read at generation `g` is
/// good while the generation is still `g`. It moves when the polled `data_version` differs from
/// the last one seen, when a poll fails (nothing is trusted then), and when this process says it
/// wrote (``invalidate()``), so that its own writes are seen at once, not a poll later.
public struct ChangeWatchState: Sendable, Equatable {
    public private(set) var generation: UInt64 = 0
    /// The last `data_version` seen; nil before the first poll or after a failed one.
    public private(set) var version: Int?
    /// When the last poll was claimed (seconds on a monotonic clock); nil: never.
    public private(set) var polledAt: Double?
    /// At most one poll per this many seconds.
    public let interval: Double

    public init(interval: Double) {
        self.interval = interval
    }

    /// `true` when a poll is due at `now`; the caller then polls and reports with ``polled(_:)``.
    /// Claiming it here (before the I/O) keeps concurrent requests from polling all at once.
    public mutating func claimPoll(at now: Double) -> Bool {
        if let polledAt, now - polledAt < interval, now >= polledAt { return false }
        polledAt = now
        return true
    }

    /// The outcome of a poll: the version read, or nil when it could not be read.
    public mutating func polled(_ current: Int?) {
        if current == nil || current != version { generation &+= 1 }
        version = current
    }

    /// This process wrote: whatever was cached may be old.
    public mutating func invalidate() {
        generation &+= 1
    }
}
