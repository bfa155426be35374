import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// `GET /api/v1/events` through a router: what a connection reads first for its
/// `Last-Event-ID`. The hub is the test's, so the test can end the stream (a router test reads a
/// response to its end).
@Suite struct EventsRouteTests {
    /// Signs a request in from its session cookie, as the web's session middleware does.
    struct SignIn: RouterMiddleware {
        typealias Context = WebContext
        let sessions: Sessions
        let users: any UserStore

        func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
            var context = context
            if let id = request.cookies[SessionCookie.name]?.value, let active = try sessions.resolve(id) {
                context.session = active
                context.user = try users.user(active.userID)
            }
            return try await next(request, context)
        }
    }

    let database = CentralDatabase.inMemory()
    let hub: EventHub
    let sessions: Sessions
    let user: UserID
    let cookie: String

    init() throws {
        hub = EventHub(database: database, epoch: "route1")
        sessions = Sessions(store: database.sessions)
        user = try database.users.createUser(username: "lee", passwordHash: "-", at: Date())
        cookie = "\(SessionCookie.name)=\(try sessions.open(user: user, remember: false, userAgent: nil).id)"
    }

    var app: some ApplicationProtocol {
        let router = Router(context: WebContext.self)
        router.add(middleware: SignIn(sessions: sessions, users: database.users))
        EventsController(hub: hub, sessions: sessions).register(on: router)
        return Application(router: router)
    }

    /// Opens the stream with `lastEventID`, waits until the hub has the connection, ends every
    /// stream, and returns what the connection read. A request refused before it subscribes
    /// ends the wait too.
    func connect(lastEventID: String?) async throws -> TestResponse {
        try await app.test(.router) { client in
            var fields: HTTPFields = [.cookie: cookie]
            if let lastEventID { fields[EventsController.lastEventID] = lastEventID }
            let headers = fields
            let before = await hub.subscriberCount
            return try await withThrowingTaskGroup(of: TestResponse?.self) { group in
                group.addTask { try await client.execute(uri: "/api/v1/events", method: .get, headers: headers) }
                group.addTask {
                    while await hub.subscriberCount == before {
                        if Task.isCancelled { return nil }
                        await Task.yield()
                    }
                    await hub.closeAll()
                    return nil
                }
                var response: TestResponse?
                for try await answer in group {
                    guard let answer else { continue }
                    response = answer
                    group.cancelAll()
                }
                return try #require(response)
            }
        }
    }

    func addFill(_ trade: Int64) throws {
        try database.trading.saveFill(TradingRouteTests.fill(trade, minute: Int(trade)), for: user)
    }

    @Test func aFirstConnectionIsToldWhereItStands() async throws {
        let response = try await connect(lastEventID: nil)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream; charset=utf-8")
        #expect(response.text.hasPrefix("retry: 2000\n"))
        #expect(response.text.contains("\nid: route1-"))
        #expect(!response.text.contains("event:"))
    }

    @Test func aReconnectingPageReadsTheEventsItMissed() async throws {
        let page = await hub.subscribe(user)
        try addFill(1)
        await hub.poll()
        var iterator = page.messages.makeAsyncIterator()
        guard case .event(let seen, _)? = await iterator.next() else { Issue.record("no event"); return }
        try addFill(2)
        try addFill(3)
        await hub.poll()

        let text = try await connect(lastEventID: seen.description).text
        let fills = text.components(separatedBy: "\n\n").filter { $0.contains("event: fill") }
        #expect(fills.count == 2, "\(text)")
        #expect(fills.first?.contains(#""trade_id":2"#) == true && fills.last?.contains(#""trade_id":3"#) == true, "\(text)")
        #expect(!text.contains(#""trade_id":1"#))
        // Each replayed event keeps its id, after the one the page had seen.
        let ids = fills.compactMap { block in block.split(separator: "\n").first { $0.hasPrefix("id: ") }.flatMap { LiveEventID(String($0.dropFirst(4))) } }
        #expect(ids.count == 2 && ids.allSatisfy { $0.epoch == "route1" && $0.sequence > seen.sequence }, "\(text)")
    }

    @Test func anIDOfAnotherWebProcessGetsReload() async throws {
        let text = try await connect(lastEventID: "someoneelse-12").text
        #expect(text.contains("event: reload\ndata: {\"reason\":\"missed_events\"}\n\n"), "\(text)")
        #expect(!text.contains("event: fill"))
    }
}
