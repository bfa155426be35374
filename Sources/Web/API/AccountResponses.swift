import Common
import Foundation

/// `POST /api/v1/signup` (201).
struct SignupResponse: Encodable, Sendable {
    let userId: Int64
}

/// `POST /api/v1/login`: the session cookie goes with it.
struct LoginResponse: Encodable, Sendable {
    let userId: Int64
    let csrfToken: String
}

/// `GET /api/v1/me`.
struct MeResponse: Encodable, Sendable {
    let userId: Int64
    let username: String
    /// Empty for a request made with an API token (which needs none).
    let csrfToken: String
    let isAdmin: Bool
}

/// `POST /api/v1/password`: a new session, so a new CSRF token.
struct PasswordChangeResponse: Encodable, Sendable {
    let csrfToken: String
}
