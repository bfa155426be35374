import Foundation

/// A command sent to the user's Telegram bot from the linked chat. Anything else is ignored.
public enum ChatCommand: Sendable, Equatable {
    case status, balance, profit, bots, help
    case stop(bot: Int64)
    case start(bot: Int64)
    /// `/emergency`: asks for a confirmation; `/emergency <code>` confirms.
    case emergency(code: String?)

    /// A message's text as a command (`/stop 3`, `/stop@MyBot 3`); nil when it is none, or a
    /// command whose argument is missing or wrong (answered with ``usage``).
    public static func parse(_ text: String) -> ChatCommand? {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let head = words.first, head.hasPrefix("/"), words.count <= 2 else { return nil }
        let name = head.dropFirst().split(separator: "@", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
        let argument = words.count == 2 ? words[1] : nil
        switch (name, argument) {
        case ("status", nil): return .status
        case ("balance", nil): return .balance
        case ("profit", nil): return .profit
        case ("bots", nil): return .bots
        case ("help", nil): return .help
        case ("stop", let id?): return Int64(id).map { .stop(bot: $0) }
        case ("start", let id?): return Int64(id).map { .start(bot: $0) }
        case ("emergency", let code): return .emergency(code: code)
        default: return nil
        }
    }

    public static let usage = "/status, /balance, /profit, /bots, /stop <bot id>, /start <bot id>, /emergency"

    /// A linking message: the code alone, or Telegram's deep-link `/start <code>`.
    public static func isLink(_ text: String, code: String) -> Bool {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let given = words.count == 2 && words[0] == "/start" ? words[1] : (words.count == 1 ? words[0] : "")
        return !code.isEmpty && SecureToken.constantTimeEquals(given, code)
    }
}

/// `/emergency` stops every bot of the user only when confirmed: the reply names a code that
/// `/emergency <code>` must repeat within a minute.
public struct EmergencyConfirmation: Sendable, Equatable {
    public static let window: TimeInterval = 60
    public var code: String?
    public var until: Date?

    public init() {}

    public enum Step: Sendable, Equatable {
        /// Ask for `/emergency <code>`.
        case ask(code: String)
        case confirmed
        case wrongCode
    }

    /// `fresh`: the code to ask with when this asks.
    public mutating func take(_ given: String?, fresh: String, now: Date) -> Step {
        if let given {
            guard let code, let until, now <= until, SecureToken.constantTimeEquals(given, code) else { return .wrongCode }
            self = EmergencyConfirmation()
            return .confirmed
        }
        code = fresh
        until = now.addingTimeInterval(Self.window)
        return .ask(code: fresh)
    }
}
