import Common
import Foundation

/// A channel's secrets, stored as one Fernet token under the master key: a Telegram bot's token;
/// a webhook's URL (Discord's and Slack's carry their own secret) and its signing secret.
struct ChannelSecrets: Sendable {
    let fernet: Fernet

    struct Plain: Codable, Equatable {
        var token: String?
        var url: String?
        var secret: String?
    }

    struct Unreadable: Error, CustomStringConvertible {
        var description: String { "the channel's secret cannot be decrypted with this master key: enter it again" }
    }

    func seal(_ plain: Plain) -> String {
        fernet.encrypt(WireJSON.text(plain))
    }

    func open(_ channel: NotificationChannel) throws(Unreadable) -> Plain {
        guard let token = channel.secretToken, let text = try? fernet.decryptString(token),
            let plain = try? WireJSON.decode(Plain.self, from: Data(text.utf8))
        else { throw Unreadable() }
        return plain
    }

    /// A webhook's URL as shown: its scheme and host only (a Discord or Slack URL's path is its secret).
    static func shownURL(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "…" }
        let port = parsed.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/…"
    }
}
