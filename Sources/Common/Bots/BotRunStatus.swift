import Foundation

/// What a grid or DCA bot the worker runs is doing, as the worker reports it (`bot_status`) and
/// the supervisor stores it for the web: its state and why, its resting orders, its latest fills,
/// its DCA deals, its profit, and for a paper bot its virtual balances. Every figure is the
/// worker's count from the exchange's (or the paper exchange's) answers; a paper bot's never
/// joins the real portfolio.
public struct BotRunStatus: Sendable, Equatable, Codable {
    public struct Order: Sendable, Equatable, Codable {
        public let side: String
        public let price: Decimal
        public let quantity: Decimal
        /// A grid order's level (its cell's lower level for a buy, upper for a sell); a DCA
        /// order's name (`safety 2`, `take-profit`) in `role`.
        public let level: Int?
        public let role: String?

        public init(side: String, price: Decimal, quantity: Decimal, level: Int?, role: String?) {
            self.side = side
            self.price = price
            self.quantity = quantity
            self.level = level
            self.role = role
        }
    }

    public struct Fill: Sendable, Equatable, Codable {
        /// Milliseconds since 1970.
        public let time: Int64
        public let side: String
        public let price: Decimal
        public let quantity: Decimal
        public let feeQuote: Decimal
        public let level: Int?
        public let role: String?

        public init(time: Int64, side: String, price: Decimal, quantity: Decimal, feeQuote: Decimal, level: Int?, role: String?) {
            self.time = time
            self.side = side
            self.price = price
            self.quantity = quantity
            self.feeQuote = feeQuote
            self.level = level
            self.role = role
        }
    }

    public struct Deal: Sendable, Equatable, Codable {
        public let number: Int
        /// `open` or `closed`.
        public let phase: String
        public let entry: Decimal?
        public let average: Decimal?
        public let safetyFilled: Int
        public let safetyOrders: Int
        public let takeProfit: Decimal?
        public let held: Decimal
        /// Realised when closed (with `closeReason`), unrealised at `price` when open.
        public let pnl: Decimal?
        public let closeReason: String?

        public init(
            number: Int, phase: String, entry: Decimal?, average: Decimal?, safetyFilled: Int, safetyOrders: Int, takeProfit: Decimal?, held: Decimal,
            pnl: Decimal?, closeReason: String?
        ) {
            self.number = number
            self.phase = phase
            self.entry = entry
            self.average = average
            self.safetyFilled = safetyFilled
            self.safetyOrders = safetyOrders
            self.takeProfit = takeProfit
            self.held = held
            self.pnl = pnl
            self.closeReason = closeReason
        }
    }

    /// The most fills a status carries: the newest.
    public static let fillLimit = 50

    public var botID: Int64
    /// `starting`, `running`, `stopped` or `error`.
    public var state: String
    public var reason: String?
    public var mode: String
    public var symbol: String
    /// The last price the bot acted on; nil before the first.
    public var price: Decimal?
    /// A grid's completed cycles (a buy closed by a sell one level up); 0 for DCA.
    public var cycles: Int
    /// A grid's profit from its cycles, fees included; nil for DCA.
    public var gridProfit: Decimal?
    /// A grid's level prices now, lowest first (a trailing grid's move up); nil for DCA and in
    /// older reports.
    public var levels: [Decimal]?
    /// How many times a trailing grid's range moved up; nil for DCA and in older reports.
    public var rangeMoves: Int?
    /// Realised PnL in the quote asset since the bot started, fees included.
    public var realisedPnL: Decimal
    /// Realised PnL since the start of the current UTC day.
    public var todayPnL: Decimal
    /// What the coins held would gain or lose at `price`; nil without a price.
    public var unrealisedPnL: Decimal?
    /// The base asset the bot holds.
    public var held: Decimal
    /// What the coins held cost on average; nil when none are held (absent in older reports).
    public var averageEntry: Decimal?
    /// Quote asset in use: resting buys and held coins at cost.
    public var allocationUsed: Decimal
    /// The bot's value: its allocation plus its realised and unrealised PnL; nil without a price
    /// (and in older reports).
    public var value: Decimal?
    public var openOrders: [Order]
    /// The newest fills, oldest first.
    public var fills: [Fill]
    public var deals: [Deal]
    /// A paper bot's virtual balances (asset → free + locked); empty for a live bot.
    public var balances: [String: Decimal]
    /// Milliseconds since 1970.
    public var updatedAt: Int64

    public init(botID: Int64, state: String, reason: String?, mode: String, symbol: String, updatedAt: Int64) {
        self.botID = botID
        self.state = state
        self.reason = reason
        self.mode = mode
        self.symbol = symbol
        self.price = nil
        self.cycles = 0
        self.gridProfit = nil
        self.levels = nil
        self.rangeMoves = nil
        self.realisedPnL = 0
        self.todayPnL = 0
        self.unrealisedPnL = nil
        self.held = 0
        self.averageEntry = nil
        self.allocationUsed = 0
        self.value = nil
        self.openOrders = []
        self.fills = []
        self.deals = []
        self.balances = [:]
        self.updatedAt = updatedAt
    }

    /// A live bot's position as the positions list shows it (its coins, their average cost, what
    /// they would gain or lose at the bot's last price, its realised PnL); nil when it holds
    /// nothing, and always for a paper bot, whose figures never join the real ones.
    public var position: PositionRecord? {
        guard mode == "live", held > 0 else { return nil }
        var position = PositionRecord(
            symbol: symbol, qty: held, avgEntryPrice: averageEntry, currentPrice: price, unrealizedPnLUSDT: unrealisedPnL, realizedPnLUSDT: realisedPnL,
            stopLoss: nil, takeProfit: nil)
        position.botID = botID
        return position
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A status as a worker wrote it: refused when it does not read or is out of bounds.
    public static func decode(_ text: String) throws(ProtocolError) -> BotRunStatus {
        guard text.utf8.count <= 256 * 1024 else { throw ProtocolError(reason: "bot_status longer than 256 KiB") }
        let status: BotRunStatus
        do {
            status = try JSONDecoder().decode(BotRunStatus.self, from: Data(text.utf8))
        } catch {
            throw ProtocolError(reason: "bot_status does not read: \(error)")
        }
        guard ["starting", "running", "stopped", "error"].contains(status.state), ["live", "paper"].contains(status.mode) else {
            throw ProtocolError(reason: "bot_status: state must be starting, running, stopped or error and mode live or paper")
        }
        guard status.fills.count <= fillLimit, status.openOrders.count <= 1_000, (status.levels?.count ?? 0) <= 1_000, status.deals.count <= 1_000, status.balances.count <= 100,
            (status.reason?.count ?? 0) <= 2_000, status.symbol.count <= 32
        else { throw ProtocolError(reason: "bot_status carries more than a status may") }
        return status
    }
}
