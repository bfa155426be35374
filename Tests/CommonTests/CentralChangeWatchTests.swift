import Common
import Foundation
import Synchronization
import Testing

/// When cached reads of central.sqlite are thrown away: the generation moves when the file's
/// `data_version` moves (polled at most once per interval), when a poll fails, and when this
/// process says it wrote. No sleeps: the clock is a number the test sets.
@Suite struct CentralChangeWatchTests {
    @Test func aPollIsDueOncePerInterval() {
        var state = ChangeWatchState(interval: 0.05)
        func claim(_ now: Double) -> Bool { state.claimPoll(at: now) }
        #expect(claim(10))
        state.polled(7)
        #expect(!claim(10.01))
        #expect(!claim(10.049))
        #expect(claim(10.05))
        // A clock that went back (another thread's older reading) polls rather than trusting.
        #expect(claim(9))
    }

    @Test func theGenerationMovesOnlyWhenTheVersionDoes() {
        var state = ChangeWatchState(interval: 0.05)
        _ = state.claimPoll(at: 0)
        state.polled(3)
        let first = state.generation
        state.polled(3)
        #expect(state.generation == first)
        state.polled(4)
        #expect(state.generation == first + 1)
        // An unreadable version trusts nothing, every time.
        state.polled(nil)
        #expect(state.generation == first + 2)
        state.polled(nil)
        #expect(state.generation == first + 3)
        state.invalidate()
        #expect(state.generation == first + 4)
    }

    final class FakeProbe: DataVersionProbe {
        let version = Mutex(1)
        let reads = Mutex(0)
        func dataVersion() throws -> Int {
            reads.withLock { $0 += 1 }
            return version.withLock { $0 }
        }
    }

    @Test func theWatchPollsTheFileAtMostOncePerInterval() {
        let probe = FakeProbe()
        let now = Mutex(100.0)
        let watch = CentralChangeWatch(probe: probe, interval: 0.05, clock: { now.withLock { $0 } })
        let first = watch.generation()
        #expect(watch.generation() == first)
        #expect(probe.reads.withLock { $0 } == 1)
        // Another process commits: not seen before the interval is over, seen after it.
        probe.version.withLock { $0 = 2 }
        now.withLock { $0 += 0.01 }
        #expect(watch.generation() == first)
        now.withLock { $0 += 0.05 }
        let second = watch.generation()
        #expect(second != first)
        #expect(probe.reads.withLock { $0 } == 2)
        // This process's own write is seen at once.
        watch.invalidate()
        #expect(watch.generation() != second)
    }

    @Test func anUnwatchableFileIsNeverCached() {
        let watch = CentralChangeWatch(probe: nil)
        #expect(watch.generation() != watch.generation())
    }

    @Test func theRealProbeSeesAnotherConnectionsCommit() throws {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        let database = try CentralDatabase.migrate(directory)
        let probe = try SQLiteDataVersionProbe(path: directory.centralDatabase)
        let before = try probe.dataVersion()
        #expect(try probe.dataVersion() == before)
        _ = try database.users.createUser(username: "watched", passwordHash: "x", at: Date())
        #expect(try probe.dataVersion() != before)
    }
}

/// Values kept for one generation only.
@Suite struct GenerationCacheTests {
    @Test func aValueIsReadOncePerGeneration() {
        let cache = GenerationCache<Int, String>()
        var loads = 0
        func load() -> String {
            loads += 1
            return "v\(loads)"
        }
        #expect(cache.value(1, at: 5, load: load) == "v1")
        #expect(cache.value(1, at: 5, load: load) == "v1")
        #expect(cache.value(1, at: 6, load: load) == "v2")
        // The newer generation emptied the older one's entries.
        #expect(cache.cached(1, at: 5) == nil)
        #expect(cache.count == 1)
    }

    @Test func aValueReadAtAnOlderGenerationIsNotKept() {
        let cache = GenerationCache<Int, String>()
        cache.store("new", for: 1, at: 8)
        cache.store("old", for: 2, at: 7)
        #expect(cache.cached(2, at: 7) == nil)
        #expect(cache.cached(1, at: 8) == "new")
    }

    @Test func errorsAreNotCachedAndTheSizeIsCapped() {
        struct Failed: Error {}
        let cache = GenerationCache<Int, Int>(capacity: 3)
        #expect(throws: Failed.self) { try cache.value(1, at: 1) { throw Failed() } }
        #expect(cache.cached(1, at: 1) == nil)
        for key in 0..<10 { cache.store(key, for: key, at: 1) }
        #expect(cache.count <= 3)
        #expect(cache.cached(9, at: 1) == 9)
    }

    @Test func theCostIsCappedAndAValuePastTheWholeBudgetIsNotKept() {
        // Cost: the string's length; at most 10 in all.
        let cache = GenerationCache<Int, String>(maxCost: 10) { $0.count }
        cache.store("aaaa", for: 1, at: 1)
        cache.store("bbbb", for: 2, at: 1)
        #expect(cache.totalCost == 8)
        // Replacing a value counts only the new one.
        cache.store("cc", for: 2, at: 1)
        #expect(cache.totalCost == 6)
        // Past the budget: emptied, then kept.
        cache.store("dddddd", for: 3, at: 1)
        #expect(cache.cached(1, at: 1) == nil)
        #expect(cache.cached(3, at: 1) == "dddddd")
        #expect(cache.totalCost == 6)
        // Larger than the whole budget: not kept, and nothing else lost.
        cache.store(String(repeating: "e", count: 11), for: 4, at: 1)
        #expect(cache.cached(4, at: 1) == nil)
        #expect(cache.cached(3, at: 1) == "dddddd")
        cache.remove(3)
        #expect(cache.totalCost == 0)
    }
}
