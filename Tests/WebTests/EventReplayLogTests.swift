import Testing

@testable import Web

/// Which events a reconnecting page gets for its `Last-Event-ID`, and when it is told to reload.
@Suite struct EventReplayLogTests {
    static func event(_ n: Int) -> LiveEvent { LiveEvent(name: "fill", data: #"{"trade_id":\#(n)}"#) }

    /// A log of epoch `e1` that began after sequence 10 and holds 11, 12, 13.
    static func log(capacity: Int = 8) -> EventReplayLog {
        var log = EventReplayLog(epoch: "e1", startingAfter: 10, capacity: capacity)
        for n in 11...13 { log.append(event(n), sequence: UInt64(n)) }
        return log
    }

    @Test func aFirstConnectionGetsNothingToReplay() {
        #expect(Self.log().decision(lastEventID: nil) == .fresh)
        #expect(Self.log().decision(lastEventID: "") == .fresh)
    }

    @Test func theEventsAfterTheLastSeenAreReplayedInOrder() {
        let log = Self.log()
        #expect(log.decision(lastEventID: "e1-11") == .replay([.init(sequence: 12, event: Self.event(12)), .init(sequence: 13, event: Self.event(13))]))
        // The log's start: every event is replayed.
        #expect(log.decision(lastEventID: "e1-10") == .replay(log.entries))
    }

    @Test func aPageThatMissedNothingGetsNothing() {
        #expect(Self.log().decision(lastEventID: "e1-13") == .replay([]))
        let empty = EventReplayLog(epoch: "e1", startingAfter: 7)
        #expect(empty.decision(lastEventID: "e1-7") == .replay([]))
        #expect(empty.mark == LiveEventID(epoch: "e1", sequence: 7))
    }

    @Test(arguments: [
        "e0-12",  // another process (a web that has restarted since)
        "e1-9",  // before the log began: events may be missing
        "e1-14",  // beyond anything this log gave out
        "e1-x",  // not an id of ours
        "e1",
        "-12",
        "e 1-12",
    ])
    func anUnprovableIDMeansReload(id: String) {
        #expect(Self.log().decision(lastEventID: id) == .reload)
    }

    @Test func theLogKeepsItsCapacityAndForgetsWhereItIsNoLongerComplete() {
        var log = Self.log(capacity: 3)
        log.append(Self.event(14), sequence: 14)
        log.append(Self.event(15), sequence: 15)
        #expect(log.entries.map(\.sequence) == [13, 14, 15])
        #expect(log.completeAfter == 12)
        #expect(log.mark == LiveEventID(epoch: "e1", sequence: 15))
        #expect(log.decision(lastEventID: "e1-11") == .reload)
        #expect(log.decision(lastEventID: "e1-12") == .replay(log.entries))
        #expect(log.decision(lastEventID: "e1-14") == .replay([.init(sequence: 15, event: Self.event(15))]))
    }

    @Test func idsReadBackAsWritten() throws {
        let epoch = LiveEventID.newEpoch()
        let id = LiveEventID(epoch: epoch, sequence: 42)
        #expect(LiveEventID(id.description) == id)
        #expect(LiveEventID.newEpoch() != epoch)
        #expect(LiveEventID(String(repeating: "9", count: 80) + "-1") == nil)
    }
}
