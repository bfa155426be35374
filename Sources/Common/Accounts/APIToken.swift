import Foundation

/// What a personal API token may do: `read` (every GET of `/api/v1`), `trade` (the writes:
/// bots, orders, settings, hooks, channels), `admin` (the operator's routes; admins only).
public enum APIScope: String, Sendable, CaseIterable, Comparable, Codable {
    case read, trade, admin

    public static func < (a: APIScope, b: APIScope) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// Scopes as stored and sent: comma-separated, in their order (`read,trade`).
    public static func text(_ scopes: Set<APIScope>) -> String { scopes.sorted().map(\.rawValue).joined(separator: ",") }

    /// The stored text back; unknown words are dropped (a scope this build does not know
    /// grants nothing).
    public static func parse(_ text: String) -> Set<APIScope> {
        Set(text.split(separator: ",").compactMap { APIScope(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }
}

/// A personal API token as stored: its hash only (the token itself is shown once).
public struct StoredAPIToken: Sendable, Equatable {
    public let id: Int64
    public let userID: UserID
    public let name: String
    public let scopes: Set<APIScope>
    public let createdAt: Date
    public let expiresAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(
        id: Int64, userID: UserID, name: String, scopes: Set<APIScope>, createdAt: Date, expiresAt: Date, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Usable at `now`: neither revoked nor expired.
    public func isActive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }

    /// Whether its last use is old enough to be written again (at most once a minute, so a
    /// script's every request does not write the database).
    public func isUseDue(at now: Date) -> Bool {
        guard let lastUsedAt else { return true }
        return now.timeIntervalSince(lastUsedAt) >= 60 || now < lastUsedAt
    }
}

/// A token being created: name, scopes and lifetime checked, each problem named.
public struct APITokenRequest: Sendable, Equatable {
    public let name: String
    public let scopes: Set<APIScope>
    public let days: Int

    /// The lifetimes offered, in days.
    public static let lifetimes = [7, 30, 90, 365]
    public static let maxNameLength = 60
    /// Tokens a user may hold at once (revoked and expired ones not counted).
    public static let maxActive = 20

    public enum Problem: Error, Equatable, Sendable {
        case nameMissing, nameTooLong, noScope, unknownScope(String), adminScopeNotAllowed, lifetime(String)

        public var message: String {
            switch self {
            case .nameMissing: "Give the token a name (what the script is for)."
            case .nameTooLong: "The name is longer than \(APITokenRequest.maxNameLength) characters."
            case .noScope: "Choose at least one scope: read, trade."
            case .unknownScope(let word): "\"\(word)\" is not a scope; the scopes are read, trade and admin."
            case .adminScopeNotAllowed: "Only an administrator can create a token with the admin scope."
            case .lifetime(let given): "The lifetime \"\(given)\" is not offered; choose 7, 30, 90 or 365 days."
            }
        }

        public var field: String {
            switch self {
            case .nameMissing, .nameTooLong: "name"
            case .noScope, .unknownScope, .adminScopeNotAllowed: "scopes"
            case .lifetime: "expires_in_days"
            }
        }
    }

    /// Checks what a form or JSON body gave.
    public static func check(name: String?, scopes: [String], days: String?, isAdmin: Bool) -> Result<APITokenRequest, Problem> {
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return .failure(.nameMissing) }
        guard name.count <= maxNameLength, !name.contains(where: { $0.isNewline }) else { return .failure(.nameTooLong) }
        var chosen = Set<APIScope>()
        for word in scopes {
            guard let scope = APIScope(rawValue: word.trimmingCharacters(in: .whitespaces).lowercased()) else { return .failure(.unknownScope(word)) }
            chosen.insert(scope)
        }
        guard !chosen.isEmpty else { return .failure(.noScope) }
        if chosen.contains(.admin), !isAdmin { return .failure(.adminScopeNotAllowed) }
        let given = (days ?? "30").trimmingCharacters(in: .whitespaces)
        guard let count = Int(given), lifetimes.contains(count) else { return .failure(.lifetime(given)) }
        return .success(APITokenRequest(name: name, scopes: chosen, days: count))
    }

    public func expiry(from now: Date) -> Date { now.addingTimeInterval(TimeInterval(days) * 86_400) }
}

/// A new token's text: `ctp_` and 256 random bits. The database keeps its SHA-256
/// (``SecureToken/storedForm(_:)``).
public enum APITokenText {
    public static let prefix = "ctp_"

    public static func generate() -> String { prefix + SecureToken.random() }

    /// The token of an `Authorization: Bearer …` header, if it is one of ours in form.
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Which scope an `/api/v1` request needs when it comes with a token, or that a token cannot
/// make it at all (the account's own security: password, second factor, tokens, sessions,
/// sign-out, the exchange key — those need the signed-in browser).
public enum APIScopeRule {
    public enum Need: Equatable, Sendable {
        case scope(APIScope)
        case session
    }

    static let sessionOnlyPrefixes = ["/api/v1/tokens", "/api/v1/2fa", "/api/v1/sessions", "/api/v1/password", "/api/v1/logout", "/api/v1/exchange-key"]

    public static func need(method: String, path: String) -> Need {
        if sessionOnlyPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            // Reading one's own sessions and tokens is still account security.
            return .session
        }
        if path == "/api/v1/admin" || path.hasPrefix("/api/v1/admin/") { return .scope(.admin) }
        return ["GET", "HEAD", "OPTIONS"].contains(method.uppercased()) ? .scope(.read) : .scope(.trade)
    }
}

/// Requests per token: a bucket of `burst` that refills `perSecond`; past it, 429 with when to
/// come back. Kept per token in the web's memory.
public struct TokenBucket: Sendable, Equatable {
    public static let burst = 60.0
    public static let perSecond = 10.0

    public private(set) var tokens: Double
    public private(set) var at: Double

    public init(at now: Double) {
        tokens = Self.burst
        at = now
    }

    /// Takes one request at `now` (seconds, monotonic): nil when allowed, else the seconds to wait.
    public mutating func take(at now: Double) -> Double? {
        if now > at {
            tokens = min(Self.burst, tokens + (now - at) * Self.perSecond)
            at = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / Self.perSecond
    }
}
