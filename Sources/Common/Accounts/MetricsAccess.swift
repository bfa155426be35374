import Foundation

/// Who `/metrics` answers: it names users' workers, so not everyone. `loopback`: requests from
/// this machine (a Prometheus beside it); `admin_token`: requests carrying an administrator's
/// API token with the `admin` scope; or either.
public enum MetricsAccess: String, Sendable, CaseIterable {
    case loopback
    case adminToken = "admin_token"
    case loopbackOrAdminToken = "loopback_or_admin_token"

    public func allows(remoteAddress: String, adminToken: Bool) -> Bool {
        let local = Self.isLoopback(remoteAddress)
        switch self {
        case .loopback: return local
        case .adminToken: return adminToken
        case .loopbackOrAdminToken: return local || adminToken
        }
    }

    /// Why a request was refused, naming the setting.
    public var refusal: String {
        switch self {
        case .loopback: "/metrics answers requests from this machine only (web.metrics_access: loopback)"
        case .adminToken: "/metrics needs an administrator's API token with the admin scope (web.metrics_access: admin_token)"
        case .loopbackOrAdminToken:
            "/metrics answers requests from this machine, or with an administrator's API token with the admin scope (web.metrics_access: loopback_or_admin_token)"
        }
    }

    /// 127.0.0.0/8, ::1 and IPv4 loopback mapped into IPv6.
    public static func isLoopback(_ address: String) -> Bool {
        let address = address.lowercased()
        return address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }
}
