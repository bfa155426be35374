import CentralPostgres
import Foundation
import Testing

@testable import Common

/// The conformance suite of the central database: every store answers alike on SQLite (one
/// machine), on PostgreSQL (several hosts: a throwaway cluster, a new database per test) and in
/// memory (the unit tests' twins). Every test runs the same calls against each and expects the
/// same answers.
@Suite struct CentralStoreConformanceTests {
    enum Kind: String, CaseIterable, Sendable { case sqlite, postgres, memory }

    /// A database of that kind, and the folder to keep alive while it is used.
    static func database(_ kind: Kind) throws -> (CentralDatabase, TemporaryDirectory?) {
        switch kind {
        case .memory:
            return (CentralDatabase.inMemory(), nil)
        case .postgres:
            let location = try PostgresCluster.get().newDatabase()
            return (try CentralDatabase.migrate(PostgresSession(location)), nil)
        case .sqlite:
            let temp = try TemporaryDirectory()
            let directory = DataDirectory(root: temp.path + "/data")
            try directory.prepare()
            return (try CentralDatabase.migrate(directory), temp)
        }
    }

    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func fill(_ trade: Int64, at seconds: Double, symbol: String = "BTCUSDT") -> BotFill {
        BotFill(
            symbol: symbol, tradeID: trade, orderID: trade, clientOrderID: "c\(trade)", side: trade % 2 == 0 ? "SELL" : "BUY", price: 10, qty: 1,
            quoteQty: 10, commission: 0, commissionAsset: "USDT", time: at(seconds)
        )
    }

    static func order(_ client: String, id: Int64?, status: OrderStatus, created: Double, updated: Double, reason: String? = nil) -> OrderRecord {
        OrderRecord(
            clientOrderID: client, orderID: id, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: status, price: 10, origQty: 1, executedQty: 0,
            createdAt: at(created), updatedAt: at(updated), reason: reason
        )
    }

    @Test(arguments: Kind.allCases)
    func usernamesAreUniqueInAnyLetterCase(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let id = try db.users.createUser(username: "Alice", passwordHash: "h1", at: Self.t0)
        #expect(throws: UsernameTaken.self) { try db.users.createUser(username: "aLICE", passwordHash: "h2", at: Self.t0) }
        let second = try db.users.createUser(username: "bob", passwordHash: "h3", at: Self.t0)
        #expect(id.rawValue == 1 && second.rawValue == 2)
        #expect(try db.users.credentials(username: "ALICE")?.user.id == id)
        #expect(try db.users.credentials(username: "ALICE")?.passwordHash == "h1")
        try db.users.setPasswordHash("h4", for: id, at: Self.t0)
        try db.users.setLanguage("ko", for: id)
        #expect(try db.users.passwordHash(id) == "h4")
        #expect(try db.users.user(id)?.language == "ko")
        #expect(try db.users.user(UserID(9)) == nil)
    }

    @Test(arguments: Kind.allCases)
    func sessionsExpireAndEndTogether(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        for (hash, seen, end) in [("a", 0.0, 100.0), ("b", 50, 1000), ("c", 10, 1000)] {
            try db.sessions.insert(
                StoredSession(
                    idHash: hash, userID: user, csrfToken: "t", persistent: false, createdAt: Self.t0, lastSeenAt: Self.at(seen), expiresAt: Self.at(end),
                    userAgent: String(repeating: "x", count: 300)
                )
            )
        }
        #expect(try db.sessions.session(idHash: "a")?.userAgent?.count == 200)
        try db.sessions.touch(idHash: "c", at: Self.at(60))
        // "a" is past its end at 100; nothing else was idle since before 40.
        #expect(try db.sessions.deleteExpired(now: Self.at(100), idleBefore: Self.at(40)) == 1)
        #expect(try db.sessions.count(of: user) == 2)
        #expect(try db.sessions.deleteAll(of: user) == 2)
        #expect(try db.sessions.session(idHash: "b") == nil)
    }

    @Test(arguments: Kind.allCases)
    func fillsPageNewestFirstAndKeepTheirRowOrder(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.t0)
        // Two fills in one millisecond (ties go by trade id), recorded out of time order.
        for (trade, seconds) in [(3, 30.0), (1, 10), (2, 10.0004), (4, 40)] {
            #expect(try db.trading.saveFill(Self.fill(Int64(trade), at: seconds), for: user))
        }
        #expect(try !db.trading.saveFill(Self.fill(3, at: 30), for: user))
        try db.trading.saveFill(Self.fill(9, at: 20), for: other)

        #expect(try db.trading.fills(for: user, symbol: nil, before: nil, limit: 10).map(\.tradeID) == [4, 3, 2, 1])
        #expect(try db.trading.fills(for: user, symbol: nil, before: Self.at(30), limit: 10).map(\.tradeID) == [2, 1])
        #expect(try db.trading.fills(for: user, symbol: nil, before: nil, limit: 2).map(\.tradeID) == [4, 3])
        #expect(try db.trading.fills(for: user, symbol: "ETHUSDT", before: nil, limit: 10).isEmpty)
        let filter = TradeFilter(side: "SELL", from: Self.at(10.0001), before: Self.at(40), limit: 10)
        #expect(try db.trading.fills(for: user, matching: filter).map(\.tradeID) == [2])

        let recorded = try db.trading.fills(for: user, recordedAfter: 0, limit: 10)
        #expect(recorded.map(\.fill.tradeID) == [3, 1, 2, 4])
        #expect(try db.trading.fills(for: user, recordedAfter: recorded[1].rowID, limit: 1).map(\.fill.tradeID) == [2])
        #expect(try db.trading.lastFillRowID(for: user) == recorded[3].rowID)
        #expect(try db.trading.totals().fills == 5)
    }

    @Test(arguments: Kind.allCases)
    func aSecondSaveOfAnOrderUpdatesItAsSQLitesUpsertDoes(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        try db.trading.saveOrder(Self.order("a", id: 7, status: .new, created: 0, updated: 0, reason: "entry"), for: user)
        try db.trading.saveOrder(Self.order("b", id: 8, status: .new, created: 5, updated: 5), for: user)
        // The later save has no order id and no reason, and another creation time: those stay.
        try db.trading.saveOrder(Self.order("a", id: nil, status: .filled, created: 99, updated: 10), for: user)
        let a = try #require(try db.trading.order(for: user, orderID: 7))
        #expect(a.status == .filled && a.reason == "entry" && a.createdAt == Self.t0 && a.updatedAt == Self.at(10))
        #expect(try db.trading.orders(for: user, symbol: nil, before: nil, limit: 10).map(\.clientOrderID) == ["b", "a"])
        #expect(try db.trading.orders(for: user, updatedSince: Self.at(5), limit: 10).map(\.clientOrderID) == ["b", "a"])
        #expect(try db.trading.totals() == TradingTotals(orders: 2, openOrders: 1, fills: 0))
    }

    @Test(arguments: Kind.allCases)
    func commandsAreAcknowledgedOnlyForTheirUser(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.t0)
        let first = try db.commands.record(user: user, command: "start", payload: nil, at: Self.t0)
        let second = try db.commands.record(user: user, command: "stop", payload: "{}", at: Self.t0)
        try db.commands.markDelivered(id: first, at: Self.at(1))
        #expect(try db.commands.undelivered(user: user).map(\.id) == [second])
        try db.commands.markAcknowledged(user: other, id: first, result: "forged", at: Self.at(2))
        #expect(try db.commands.lastAcknowledgedID(user: user) == 0)
        try db.commands.markAcknowledged(user: user, id: second, result: "ok", at: Self.at(2))
        try db.commands.markAcknowledged(user: user, id: first, result: "ok", at: Self.at(2))
        // Acknowledged in the same millisecond: the higher id.
        #expect(try db.commands.lastAcknowledgedID(user: user) == second)
        #expect(try db.commands.latest(user: user, command: "stop")?.payload == "{}")
        #expect(try db.commands.command(id: first)?.result == "ok")
    }

    @Test(arguments: Kind.allCases)
    func equityIsPagedAndThinned(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        for minute in 0..<10 { try db.portfolios.addEquity(time: Self.at(Double(minute) * 60), totalUSDT: Decimal(minute), for: user, bot: minute < 3 ? 1 : 2) }
        try db.portfolios.addEquity(time: Self.at(0), totalUSDT: 100, for: user, bot: 1)
        #expect(try db.portfolios.equity(for: user, bot: nil, limit: 3, before: Self.at(300)).map(\.totalUSDT) == [4, 3, 2])
        // One bot's points only.
        #expect(try db.portfolios.equity(for: user, bot: 1, limit: 5, before: nil).map(\.totalUSDT) == [2, 1, 100])
        #expect(try db.portfolios.equity(for: user, since: nil, points: 100).map(\.totalUSDT).first == 100)
        #expect(try db.portfolios.equity(for: user, since: nil, points: 3).map(\.totalUSDT) == [2, 5, 8, 9])
        #expect(try db.portfolios.equity(for: user, since: Self.at(420), points: 10).map(\.totalUSDT) == [7, 8, 9])
    }

    @Test(arguments: Kind.allCases)
    func keysGetGrowingRevisionsAndReencryptAllOrNothing(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        let a = try db.users.createUser(username: "a", passwordHash: "h", at: Self.t0)
        let b = try db.users.createUser(username: "b", passwordHash: "h", at: Self.t0)
        let key = { (user: UserID, token: String) in
            StoredExchangeKey(userID: user, apiKeyToken: token + "k", apiSecretToken: token + "s", maskedKey: "ab…cd", canTrade: true, verifiedAt: nil)
        }
        #expect(try db.exchangeKeys.storeKey(key(b, "b"), at: Self.t0) == 1)
        #expect(try db.exchangeKeys.storeKey(key(a, "a"), at: Self.t0) == 2)
        #expect(try db.exchangeKeys.storeKey(key(b, "B"), at: Self.t0) == 3)
        #expect(try db.exchangeKeys.keyRevisions() == [a: 2, b: 3])
        #expect(try db.exchangeKeys.allTokens() == ["ak", "as", "Bk", "Bs"])
        struct Refused: Error {}
        #expect(throws: Refused.self) { try db.exchangeKeys.reencryptAll { if $0 == "Bk" { throw Refused() } else { return $0 + "!" } } }
        #expect(try db.exchangeKeys.allTokens() == ["ak", "as", "Bk", "Bs"])
        #expect(try db.exchangeKeys.reencryptAll { $0 + "!" } == 2)
        #expect(try db.exchangeKeys.key(for: a)?.apiSecretToken == "as!")
        #expect(try db.exchangeKeys.deleteKey(for: a))
        #expect(try !db.exchangeKeys.deleteKey(for: a))
    }

    @Test(arguments: Kind.allCases)
    func processesAreListedByNameAndStoppedTogether(kind: Kind) throws {
        let (db, temp) = try Self.database(kind)
        defer { _ = temp }
        var web = ProcessStatus(process: "web", state: .running)
        web.pid = 10
        try db.processes.save([web, ProcessStatus(process: "exchange-sim", state: .stopped)], at: Self.t0)
        #expect(try db.processes.all().map(\.process) == ["exchange-sim", "web"])
        try db.processes.markAllStopped(message: "supervisor stopped", at: Self.t0)
        let stopped = try #require(try db.processes.status(process: "web"))
        #expect(stopped.state == .stopped && stopped.pid == nil && stopped.message == "supervisor stopped")
        #expect(try db.processes.status(process: "exchange-sim")?.message == nil)
        try db.supervisorInfo.set(["pid": "1", "mode": "sim"])
        try db.supervisorInfo.set(["pid": "2"])
        #expect(try db.supervisorInfo.all() == ["pid": "2", "mode": "sim"])
    }

    @Test func theInMemoryDataVersionMovesAtEveryWrite() throws {
        let db = CentralDatabase.inMemory()
        #expect(db.isHealthy())
        let before = try db.dataVersion()
        _ = try db.users.createUser(username: "u", passwordHash: "h", at: Self.t0)
        let afterUser = try db.dataVersion()
        try db.trading.saveFill(Self.fill(1, at: 0), for: UserID(1))
        let afterFill = try db.dataVersion()
        #expect(before < afterUser && afterUser < afterFill)
        #expect(db.pool == nil)
    }
}
