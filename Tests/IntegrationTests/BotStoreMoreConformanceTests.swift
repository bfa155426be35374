import CentralPostgres
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Common

/// More of the bot store on every backend (SQLite, PostgreSQL, in memory): the refusals' exact
/// words and order, the limit and the names kept by writers at once, the value over time to the
/// millisecond and a point a minute under writers at once, and the answers the supervisor acts
/// on (the trader's bot, the hosted ones, the users who need a worker) after every kind of change.
@Suite struct BotStoreMoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static let nameTaken = SettingsError(field: "name", "is already the name of another of your bots")
    static func limit(_ count: Int) -> SettingsError { SettingsError(field: "bots", "are at the limit of \(count) per user: delete a stopped one first") }
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A definition that reads back (a paper bot has paper balances, a live one none).
    static func named(_ name: String, _ definition: BotDefinition = BotStoreConformanceTests.grid, mode: BotDefinition.Mode? = nil) -> BotDefinition {
        var definition = definition
        definition.name = name
        definition.mode = mode ?? definition.mode
        if definition.mode == .live {
            definition.paperBalances = [:]
        } else if definition.paperBalances.isEmpty {
            definition.paperBalances = ["USDT": 1_000]
        }
        return definition
    }

    @Test(arguments: Kind.allCases)
    func namesAreTakenInAnyLetterCaseAndTheLimitIsCheckedFirst(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.t0)
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.t0)
        let carol = try db.users.createUser(username: "carol", passwordHash: "h", at: Self.t0)
        let first = try db.bots.createBot(Self.named("BTC grid"), for: ann, limits: BotLimits(maxPerUser: 3), at: Self.t0)
        let second = try db.bots.createBot(Self.named("ETH dca", BotStoreConformanceTests.dca), for: ann, limits: BotLimits(maxPerUser: 3), at: Self.t0)
        #expect(throws: Self.nameTaken) { try db.bots.createBot(Self.named("btc GRID"), for: ann, limits: BotLimits(maxPerUser: 3), at: Self.t0) }
        // Over the limit and a taken name at once: the limit is the reason given.
        #expect(throws: Self.limit(2)) { try db.bots.createBot(Self.named("btc grid"), for: ann, limits: BotLimits(maxPerUser: 2), at: Self.t0) }
        #expect(try db.bots.bots(for: ann).map(\.id) == [first.id, second.id])
        // Another user's names are theirs.
        #expect(try db.bots.createBot(Self.named("BTC GRID"), for: bob, limits: BotLimits(maxPerUser: 1), at: Self.t0).definition.name == "BTC GRID")

        #expect(throws: Self.nameTaken) { try db.bots.updateBot(second.id, Self.named("Btc Grid"), for: ann, at: Self.t0 + 1) }
        #expect(try db.bots.bot(second.id, for: ann)?.definition == Self.named("ETH dca", BotStoreConformanceTests.dca))
        #expect(try db.bots.bot(second.id, for: ann)?.updatedAt == Self.t0)
        // A bot keeps its own name in another letter case.
        let renamed = try #require(try db.bots.updateBot(first.id, Self.named("Btc Grid"), for: ann, at: Self.t0 + 2))
        #expect(renamed.id == first.id && renamed.createdAt == Self.t0 && renamed.updatedAt == Self.t0 + 2)
        #expect(try db.bots.bot(first.id, for: ann)?.definition.name == "Btc Grid")
        #expect(try db.bots.bot(first.id, for: ann)?.updatedAt == Self.t0 + 2)
        #expect(try db.bots.updateBot(first.id + 100, Self.named("x"), for: ann, at: Self.t0) == nil)

        // A user with no bot.
        #expect(try db.bots.bots(for: carol).isEmpty)
        #expect(try db.bots.firstBotID(for: carol) == nil)
        #expect(try db.bots.traderBotID(for: carol) == nil)
        #expect(try db.bots.liveHostedBotIDs(for: carol).isEmpty)
        #expect(try db.bots.statuses(for: carol).isEmpty)
    }

    /// Several web hosts create one user's bots at once: the limit and the names hold. Rounds
    /// with a new user each, as one round's threads may not overlap.
    @Test(arguments: Kind.allCases)
    func createsAtOnceKeepTheLimitAndTheNames(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        for round in 0..<4 {
            let user = try db.users.createUser(username: "limit \(round)", passwordHash: "h", at: Self.t0)
            let refusals = Self.atOnce(8) { index in
                _ = try db.bots.createBot(Self.named("bot \(index)"), for: user, limits: BotLimits(maxPerUser: 3), at: Self.t0)
            }
            #expect(try db.bots.bots(for: user).count == 3)
            #expect(refusals.map { $0 as? SettingsError } == Array(repeating: Self.limit(3), count: 5))
        }
        for round in 0..<4 {
            let user = try db.users.createUser(username: "names \(round)", passwordHash: "h", at: Self.t0)
            let refusals = Self.atOnce(8) { index in
                _ = try db.bots.createBot(Self.named(index % 2 == 0 ? "same" : "SAME"), for: user, limits: BotLimits(), at: Self.t0)
            }
            #expect(try db.bots.bots(for: user).count == 1)
            #expect(refusals.map { $0 as? SettingsError } == Array(repeating: Self.nameTaken, count: 7))
        }
    }

    /// Two supervisors report one bot's value at once: still one point a minute.
    @Test(arguments: Kind.allCases)
    func equityPointsAtOnceKeepOneAMinute(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.t0)
        let grid = try db.bots.createBot(Self.named("grid", mode: .live), for: ann, limits: BotLimits(), at: Self.t0)
        for round in 0..<6 {
            let minute = Self.t0 + Double(3600 * round)
            let failures = Self.atOnce(8) { index in
                try db.bots.addBotEquity(Decimal(400 + index), bot: grid.id, for: ann, at: minute + Double(index), every: 60)
            }
            #expect(failures.isEmpty)
        }
        #expect(try db.bots.botEquity(grid.id, for: ann, limit: 100, before: nil).count == 6)
    }

    /// Runs `body` on `count` threads of their own, released together, and returns what they
    /// threw. Threads, not a pool: a pool the size of the machine's cores would run them nearly
    /// one after another, and each call waits on the network most of its time.
    static func atOnce(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
        let errors = Collected()
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                start.wait()
                do { try body(index) } catch { errors.append(error) }
                done.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return errors.all
    }

    final class Collected: Sendable {
        let errors = Mutex<[any Error]>([])
        func append(_ error: any Error) { errors.withLock { $0.append(error) } }
        var all: [any Error] { errors.withLock { $0 } }
    }

    /// Points a minute apart at the earliest (exactly a minute is enough), stored to the
    /// millisecond, paged newest first before a time (not at it), only the user's own bot's.
    @Test(arguments: Kind.allCases)
    func equityIsKeptToTheMillisecondAndPagedNewestFirst(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.t0)
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.t0)
        let grid = try db.bots.createBot(Self.named("grid", mode: .live), for: ann, limits: BotLimits(), at: Self.t0)
        let bobs = try db.bots.createBot(Self.named("grid", mode: .live), for: bob, limits: BotLimits(), at: Self.t0)
        let points: [(Double, String)] = [(0, "400"), (60, "12345.000000015"), (119.999, "1"), (120.0009, "0.00000001"), (150, "2"), (180.5, "-3.5")]
        for (seconds, value) in points {
            try db.bots.addBotEquity(Decimal(string: value)!, bot: grid.id, for: ann, at: Self.t0 + seconds, every: 60)
        }
        try db.bots.addBotEquity(7, bot: grid.id + 1000, for: ann, at: Self.t0 + 500, every: 60)
        try db.bots.addBotEquity(8, bot: bobs.id, for: bob, at: Self.t0 + 30, every: 60)

        /// Milliseconds after t0, as stored (floored), and the amount.
        func page(_ user: UserID, _ bot: Int64, limit: Int, before: Double?) throws -> [String] {
            try db.bots.botEquity(bot, for: user, limit: limit, before: before.map { Self.t0 + $0 }).map {
                "\(Int64(($0.time.timeIntervalSince1970 * 1000).rounded(.down)) - 1_800_000_000_000) \($0.totalUSDT)"
            }
        }
        // Stored as SQLite stores amounts, 8 decimals rounded half-even (the twin keeps every digit).
        let rounded = kind == .memory ? "12345.000000015" : "12345.00000002"
        #expect(try page(ann, grid.id, limit: 10, before: nil) == ["180500 -3.5", "120000 0.00000001", "60000 \(rounded)", "0 400"])
        #expect(try page(ann, grid.id, limit: 2, before: nil) == ["180500 -3.5", "120000 0.00000001"])
        // Before 120.0005 is before 120.000 once floored to the millisecond: that point is left out.
        #expect(try page(ann, grid.id, limit: 10, before: 120.0005) == ["60000 \(rounded)", "0 400"])
        #expect(try page(ann, grid.id, limit: 10, before: 120.002) == ["120000 0.00000001", "60000 \(rounded)", "0 400"])
        #expect(try page(ann, grid.id, limit: 0, before: nil).isEmpty)
        #expect(try page(ann, bobs.id, limit: 10, before: nil).isEmpty)
        #expect(try page(bob, bobs.id, limit: 10, before: nil) == ["30000 8"])
    }

    /// The trader's bot and the hosted ones follow the first bot, its strategy and its mode as
    /// they are now: after a delete, and after an update that changes either.
    @Test(arguments: Kind.allCases)
    func theTradersAndTheHostedBotsFollowEveryChange(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.t0)
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.t0)
        let grid = try db.bots.createBot(Self.named("paper grid"), for: ann, limits: BotLimits(), at: Self.t0)
        let signals = try db.bots.createBot(BotStoreConformanceTests.signals, for: ann, limits: BotLimits(), at: Self.t0)
        let dca = try db.bots.createBot(Self.named("dca", BotStoreConformanceTests.dca, mode: .live), for: ann, limits: BotLimits(), at: Self.t0)
        _ = try db.bots.createBot(Self.named("bob's", mode: .live), for: bob, limits: BotLimits(), at: Self.t0)
        #expect(try db.bots.traderBotID(for: ann) == nil)
        #expect(try db.bots.liveHostedBotIDs(for: ann) == [dca.id])
        #expect(try db.bots.deleteBot(grid.id, for: ann))
        #expect(try db.bots.deleteBot(grid.id, for: ann) == false)
        #expect(try db.bots.traderBotID(for: ann) == signals.id)
        #expect(try db.bots.firstBotID(for: ann) == signals.id)
        // The first bot becomes a grid, the live DCA a paper one: the columns follow the definition.
        _ = try #require(try db.bots.updateBot(signals.id, Self.named("now a grid", mode: .live), for: ann, at: Self.t0))
        _ = try #require(try db.bots.updateBot(dca.id, Self.named("dca", BotStoreConformanceTests.dca, mode: .paper), for: ann, at: Self.t0))
        #expect(try db.bots.traderBotID(for: ann) == nil)
        #expect(try db.bots.liveHostedBotIDs(for: ann) == [signals.id])
        #expect(try db.bots.settings(for: ann) == nil)
    }

    /// Who needs a worker for their paper bots: a paper grid or DCA bot wanted, or reported
    /// starting or running; never a live one or a signals one; a deleted bot no more. Whether a
    /// bot is wanted, and since when, survives an update of its definition.
    @Test(arguments: Kind.allCases)
    func onlyPaperGridAndDCABotsWantedOrRunningNeedAWorker(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let users = try ["ann", "bob", "carol", "dan"].map { try db.users.createUser(username: $0, passwordHash: "h", at: Self.t0) }
        let (ann, bob, carol, dan) = (users[0], users[1], users[2], users[3])
        let signals = try db.bots.createBot(Self.named("signals", BotStoreConformanceTests.signals, mode: .paper), for: ann, limits: BotLimits(), at: Self.t0)
        let annsGrid = try db.bots.createBot(Self.named("grid", mode: .paper), for: ann, limits: BotLimits(), at: Self.t0)
        let bobsDCA = try db.bots.createBot(Self.named("dca", BotStoreConformanceTests.dca, mode: .paper), for: bob, limits: BotLimits(), at: Self.t0)
        let carolsLive = try db.bots.createBot(Self.named("live", mode: .live), for: carol, limits: BotLimits(), at: Self.t0)
        let dans = try (0..<2).map { try db.bots.createBot(Self.named("grid \($0)", mode: .paper), for: dan, limits: BotLimits(), at: Self.t0) }

        #expect(try db.bots.setWanted(signals.id, true, for: ann, at: Self.t0))
        #expect(try db.bots.setWanted(carolsLive.id, true, for: carol, at: Self.t0))
        func status(_ bot: Int64, _ state: String) -> BotRunStatus {
            BotRunStatus(botID: bot, state: state, reason: nil, mode: "paper", symbol: "BTCUSDT", updatedAt: 1_800_000_000_000)
        }
        #expect(try db.bots.saveStatus(status(carolsLive.id, "running"), for: carol, at: Self.t0))
        #expect(try db.bots.saveStatus(status(bobsDCA.id, "starting"), for: bob, at: Self.t0))
        #expect(try db.bots.saveStatus(status(dans[0].id, "error"), for: dan, at: Self.t0))
        #expect(try db.bots.saveStatus(status(bobsDCA.id + 1000, "running"), for: bob, at: Self.t0) == false)
        #expect(try db.bots.usersWithWantedPaperBots() == [bob])
        for bot in dans { #expect(try db.bots.setWanted(bot.id, true, for: dan, at: Self.t0)) }
        #expect(try db.bots.setWanted(annsGrid.id, true, for: ann, at: Self.t0 + 5))
        #expect(try db.bots.usersWithWantedPaperBots() == [ann, bob, dan])
        #expect(try db.bots.statuses(for: dan) == [dans[0].id: status(dans[0].id, "error")])

        // Wanted, and since when, survive an update; stopping records its own time.
        let updated = try #require(try db.bots.updateBot(annsGrid.id, Self.named("grid 2", mode: .paper), for: ann, at: Self.t0 + 9))
        #expect(updated.wanted && updated.wantedAt == Self.t0 + 5)
        let stored = try #require(try db.bots.bot(annsGrid.id, for: ann))
        #expect(stored.wanted && stored.wantedAt == Self.t0 + 5 && stored.updatedAt == Self.t0 + 9 && stored.definition.name == "grid 2")
        #expect(try db.bots.setWanted(annsGrid.id, false, for: ann, at: Self.t0 + 7))
        let stopped = try #require(try db.bots.bot(annsGrid.id, for: ann))
        #expect(!stopped.wanted && stopped.wantedAt == Self.t0 + 7)
        #expect(try db.bots.bot(signals.id, for: ann)?.wantedAt == Self.t0)
        #expect(try db.bots.setWanted(annsGrid.id + 1000, true, for: ann, at: Self.t0) == false)
        #expect(try db.bots.usersWithWantedPaperBots() == [bob, dan])
        #expect(try db.bots.deleteBot(dans[0].id, for: dan) && db.bots.deleteBot(dans[1].id, for: dan))
        #expect(try db.bots.usersWithWantedPaperBots() == [bob])
    }
}
