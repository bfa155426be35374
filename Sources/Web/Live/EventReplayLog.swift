/// One user's recent live events, numbered, and the decision for a page that reconnects with the
/// `Last-Event-ID` it last saw: replay what came after it, or, when the log cannot prove it holds
/// everything since (the id is older than the log, from another process, or unknown), reload.
///
/// The log is complete after ``completeAfter``: the sequence number reserved when the hub began
/// watching the user, moved forward each time the bounded log drops its oldest event.
struct EventReplayLog: Sendable {
    struct Entry: Sendable, Equatable {
        let sequence: UInt64
        let event: LiveEvent
    }

    /// What a connection gets before the live events.
    enum Decision: Sendable, Equatable {
        /// A first connection: nothing to replay.
        case fresh
        /// These events, oldest first (none when the page missed nothing).
        case replay([Entry])
        /// Events may be missing: the page must read everything again.
        case reload
    }

    let epoch: String
    let capacity: Int
    private(set) var completeAfter: UInt64
    private(set) var entries: [Entry] = []

    init(epoch: String, startingAfter sequence: UInt64, capacity: Int = 256) {
        self.epoch = epoch
        completeAfter = sequence
        self.capacity = max(capacity, 1)
    }

    /// The id a connection should hold now: the newest event's, or the log's start.
    var mark: LiveEventID { LiveEventID(epoch: epoch, sequence: entries.last?.sequence ?? completeAfter) }

    /// Adds an event; sequence numbers must grow.
    mutating func append(_ event: LiveEvent, sequence: UInt64) {
        precondition(sequence > (entries.last?.sequence ?? completeAfter), "live event ids must grow")
        entries.append(Entry(sequence: sequence, event: event))
        if entries.count > capacity {
            completeAfter = entries.removeFirst().sequence
        }
    }

    /// What to send a connection that says it last saw `lastEventID` (the header, or nil).
    func decision(lastEventID: String?) -> Decision {
        guard let text = lastEventID, !text.isEmpty else { return .fresh }
        guard let id = LiveEventID(text), id.epoch == epoch, id.sequence >= completeAfter, id.sequence <= mark.sequence else {
            return .reload
        }
        return .replay(entries.filter { $0.sequence > id.sequence })
    }
}
