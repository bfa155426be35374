import Foundation

extension BotSettings {
    /// How the bot sends its entries and where its exits live.
    public struct Execution: Sendable, Equatable, Codable {
        public enum Exits: String, Sendable, Codable, CaseIterable {
            /// The take-profit and stop-loss rest on the exchange as one OCO as soon as an entry
            /// fills, so the exchange sells even while the worker is down.
            case onExchange = "on_exchange"
            /// The worker watches the price and sells at market (it protects nothing while down).
            case inBot = "in_bot"
        }

        public enum Entry: String, Sendable, Codable, CaseIterable {
            case market
            /// A limit buy below the best price, cancelled or re-priced after a timeout.
            case limit
        }

        public enum TimeoutAction: String, Sendable, Codable, CaseIterable {
            case cancel
            case reprice
        }

        public var exits: Exits
        public var entry: Entry
        /// How far below the best ask a limit entry is placed, in percent.
        public var entryOffsetPct: Double
        public var entryTimeoutSeconds: Int
        public var entryTimeoutAction: TimeoutAction

        enum CodingKeys: String, CodingKey {
            case exits, entry
            case entryOffsetPct = "entry_offset_pct"
            case entryTimeoutSeconds = "entry_timeout_seconds"
            case entryTimeoutAction = "entry_timeout_action"
        }

        public static let defaults = Execution(exits: .onExchange, entry: .market, entryOffsetPct: 0.1, entryTimeoutSeconds: 60, entryTimeoutAction: .cancel)

        public init(exits: Exits, entry: Entry, entryOffsetPct: Double, entryTimeoutSeconds: Int, entryTimeoutAction: TimeoutAction) {
            self.exits = exits
            self.entry = entry
            self.entryOffsetPct = entryOffsetPct
            self.entryTimeoutSeconds = entryTimeoutSeconds
            self.entryTimeoutAction = entryTimeoutAction
        }

        /// Missing fields take their defaults, so a partial object is enough.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self.defaults
            exits = try c.decodeIfPresent(Exits.self, forKey: .exits) ?? d.exits
            entry = try c.decodeIfPresent(Entry.self, forKey: .entry) ?? d.entry
            entryOffsetPct = try c.decodeIfPresent(Double.self, forKey: .entryOffsetPct) ?? d.entryOffsetPct
            entryTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .entryTimeoutSeconds) ?? d.entryTimeoutSeconds
            entryTimeoutAction = try c.decodeIfPresent(TimeoutAction.self, forKey: .entryTimeoutAction) ?? d.entryTimeoutAction
        }

        func validate() throws(SettingsError) {
            guard entryOffsetPct >= 0, entryOffsetPct <= 10 else { throw SettingsError(field: "execution.entry_offset_pct", "must be 0 to 10 (percent)") }
            guard (5...86_400).contains(entryTimeoutSeconds) else {
                throw SettingsError(field: "execution.entry_timeout_seconds", "must be 5 to 86400 seconds")
            }
        }
    }
}
