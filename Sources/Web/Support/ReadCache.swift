import Common
import Foundation
import Hummingbird
import Metrics
import Synchronization

/// Whether a signed-in GET answer may be kept and served again, and for how long: pure
/// decisions for ``ReadCacheMiddleware``.
///
/// Every figure of these answers comes from central.sqlite, so an answer rendered at one
/// generation of the file (``CentralChangeWatch``) is the same answer while the file does not
/// change; what changes with the clock alone (a session's idle limit, "the worker has not
/// reported for 30 s", today's boundary) is bounded by `maxAge`. Only what a reload would show
/// again identically is kept: a 200 without cookies, for one session in one language.
struct ReadCachePolicy: Sendable, Equatable {
    /// The paths answered from the cache (exact paths: `/trading`, `/api/v1/fills`).
    var paths: Set<String>
    /// Seconds an answer is served at most, even while the file is unchanged.
    var maxAge: Double = 1

    static let standard = ReadCachePolicy(paths: [
        "/", "/trading", "/monitoring", "/status",
        "/api/v1/portfolio", "/api/v1/equity", "/api/v1/bot", "/api/v1/positions", "/api/v1/orders", "/api/v1/fills", "/api/v1/signals",
        "/api/v1/settings",
    ])

    /// Whether a request is one the cache answers (a GET of a listed path).
    func admits(method: HTTPRequest.Method, path: String) -> Bool {
        method == .get && paths.contains(path)
    }

    /// Whether an answer may be kept: a 200 that sets no cookie.
    func keeps(status: HTTPResponse.Status, setsCookie: Bool) -> Bool {
        status == .ok && !setsCookie
    }

    /// Whether an answer made at `madeAt` (seconds, monotonic) may still be served at `now`.
    func isFresh(madeAt: Double, now: Double) -> Bool {
        let age = now - madeAt
        return age >= 0 && age < maxAge
    }
}

/// One kept answer. A page's order form carries a request id that must differ on every load
/// (it makes a repeated submit place one order): the page is rendered with
/// ``ReadCache/requestIDMarker`` in its place, kept cut at the marker, and each answer joins the
/// parts with a new id.
struct CachedAnswer: Sendable {
    let headers: HTTPFields
    let parts: [ByteBuffer]
    let madeAt: Double

    init(headers: HTTPFields, body: ByteBuffer, madeAt: Double) {
        // The length changes with the ids: the server sets it from the body it is given.
        var headers = headers
        headers[.contentLength] = nil
        self.headers = headers
        self.parts = Self.split(body, at: Array(ReadCache.requestIDMarker.utf8))
        self.madeAt = madeAt
    }

    var byteCount: Int { parts.reduce(0) { $0 + $1.readableBytes } }

    /// The body with a new id at each marker.
    func body(newID: () -> String) -> ByteBuffer { Self.join(parts, newID: newID) }

    /// `parts` joined with a new id between each two.
    static func join(_ parts: [ByteBuffer], newID: () -> String) -> ByteBuffer {
        guard parts.count > 1 else { return parts.first ?? ByteBuffer() }
        var out = ByteBuffer()
        out.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes } + 16 * parts.count)
        for (index, part) in parts.enumerated() {
            if index > 0 { out.writeString(newID()) }
            out.writeImmutableBuffer(part)
        }
        return out
    }

    static func split(_ body: ByteBuffer, at marker: [UInt8]) -> [ByteBuffer] {
        let bytes = body.readableBytesView
        guard let first = marker.first else { return [body] }
        var parts: [ByteBuffer] = []
        var start = bytes.startIndex
        var index = start
        while index + marker.count <= bytes.endIndex {
            if bytes[index] == first, bytes[index..<index + marker.count].elementsEqual(marker) {
                parts.append(ByteBuffer(bytes: bytes[start..<index]))
                index += marker.count
                start = index
            } else {
                index += 1
            }
        }
        if parts.isEmpty { return [body] }
        parts.append(ByteBuffer(bytes: bytes[start..<bytes.endIndex]))
        return parts
    }
}

/// The kept answers, stamped with the generation of central.sqlite they were read at.
final class ReadCache: Sendable {
    struct Key: Hashable, Sendable {
        let user: Int64
        /// The session's CSRF token: pages carry it in their forms.
        let session: String
        let language: Language
        /// Path and query, as requested.
        let uri: String
    }

    let policy: ReadCachePolicy
    let watch: CentralChangeWatch
    /// At most 64 MiB of bodies (a page is 5–50 KB), emptied when central.sqlite changes.
    let answers = GenerationCache<Key, CachedAnswer>(capacity: 4096, maxCost: 64 << 20) { $0.byteCount }
    let clock: @Sendable () -> Double

    init(policy: ReadCachePolicy = .standard, watch: CentralChangeWatch, clock: @escaping @Sendable () -> Double = CentralChangeWatch.monotonicSeconds) {
        self.policy = policy
        self.watch = watch
        self.clock = clock
    }

    /// Stands for the order form's request id in a page being rendered for the cache; unique to
    /// this process, so no text of the page can hold it by chance.
    static let requestIDMarker = "rqid" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// Set while a page is rendered for the cache: the order form then writes the marker.
    @TaskLocal static var isRendering = false
}

/// Answers the GETs ``ReadCachePolicy`` admits from ``ReadCache`` while central.sqlite is
/// unchanged; renders, keeps and answers otherwise. Behind ``SignInMiddleware``: every answer is
/// one signed-in session's.
struct ReadCacheMiddleware: RouterMiddleware {
    typealias Context = SignedInContext
    let cache: ReadCache
    /// `/metrics`: `web_read_cache_answers_total{result="hit"|"miss"}`.
    let hits = Counter(label: "web_read_cache_answers_total", dimensions: [("result", "hit")])
    let misses = Counter(label: "web_read_cache_answers_total", dimensions: [("result", "miss")])

    func handle(_ request: Request, context: SignedInContext, next: (Request, SignedInContext) async throws -> Response) async throws -> Response {
        guard cache.policy.admits(method: request.method, path: request.uri.path) else { return try await next(request, context) }
        let key = ReadCache.Key(
            user: context.user.id.rawValue, session: context.session?.csrfToken ?? "token-\(context.token?.id ?? 0)", language: Localizer.current.language, uri: request.uri.description)
        // Taken before the reads: a change made while rendering drops the answer at the next look.
        let generation = cache.watch.generation()
        if let kept = cache.answers.cached(key, at: generation), cache.policy.isFresh(madeAt: kept.madeAt, now: cache.clock()) {
            hits.increment()
            return answer(kept)
        }
        misses.increment()
        let madeAt = cache.clock()
        let response = try await ReadCache.$isRendering.withValue(true) { try await next(request, context) }
        guard cache.policy.keeps(status: response.status, setsCookie: response.headers[.setCookie] != nil) else {
            return try await Self.withNewIDs(response)
        }
        let body = try await Self.collect(response.body)
        let kept = CachedAnswer(headers: response.headers, body: body, madeAt: madeAt)
        cache.answers.store(kept, for: key, at: generation)
        return answer(kept)
    }

    private func answer(_ kept: CachedAnswer) -> Response {
        Response(status: .ok, headers: kept.headers, body: .init(byteBuffer: kept.body(newID: ManualOrderIntake.newRequestID)))
    }

    /// An answer not kept, its markers replaced all the same.
    static func withNewIDs(_ response: Response) async throws -> Response {
        var response = response
        let body = try await collect(response.body)
        // Setting the body sets its length.
        let parts = CachedAnswer.split(body, at: Array(ReadCache.requestIDMarker.utf8))
        response.body = .init(byteBuffer: CachedAnswer.join(parts, newID: ManualOrderIntake.newRequestID))
        return response
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collector = BodyCollector()
        try await body.write(CollectingWriter(collector: collector))
        return collector.buffer
    }
}

private final class BodyCollector {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
