import Common
import Foundation

/// One of the user's bots in `/api/v1/bots…` (CONTRACT §9): its definition in the shape
/// `POST /api/v1/bots` takes, its id, and what it is doing. A figure not known is `null` beside
/// its `<field>_reason`.
///
/// Paper balances are a list of `{"asset","amount"}` here (the answers' snake_case keys would
/// turn an object's asset names into lower case); the request takes that list or an object.
struct BotItemResponse: Encodable, Sendable {
    struct Strategy: Encodable, Sendable, Equatable {
        let name: String
        let params: [String: Param]
    }

    /// A parameter as it was given: `sma_cross` and `ml` take numbers, grid and DCA texts.
    enum Param: Encodable, Sendable, Equatable {
        case number(Double)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    struct Balance: Encodable, Sendable, Equatable {
        let asset: String
        let amount: String
    }

    let botId: Int64
    let name: String
    let mode: String
    /// The bot the routes of CONTRACT §6 that name "the bot" act on.
    let isFirst: Bool
    let strategy: Strategy
    let symbols: [String]
    /// A grid's or DCA bot's one symbol.
    var symbol: String?
    let allocationUsdt: String
    let paperBalances: [Balance]
    /// A `sma_cross` or `ml` bot's settings (the object of `/api/v1/settings`).
    var settings: BotSettings?
    let state: String
    var stateReason: String?
    @Nullable var openPositions: Int?
    var openPositionsReason: String?
    @Nullable var todayPnlUsdt: String?
    var todayPnlUsdtReason: String?
    var staleSince: Date?
    /// A grid or DCA bot: whether its owner wants it running, and what it does (null before the
    /// worker's first report, with `run_reason`).
    var wanted: Bool?
    @Nullable var run: BotRunResponse?
    var runReason: String?
    let createdAt: Date
    let updatedAt: Date
}

extension BotItemResponse {
    init(_ bot: BotsView.Bot) {
        let definition = bot.record.definition
        let strategy: Strategy
        var symbol: String?
        var settings: BotSettings?
        switch definition.plan {
        case .signals(let signals):
            strategy = Strategy(name: signals.strategy.name, params: signals.strategy.params.mapValues { .number($0) })
            settings = signals
        case .grid(let grid):
            strategy = Strategy(name: "grid", params: BotParameters.grid(grid).texts.mapValues { .text($0) })
            symbol = grid.symbol
        case .dca(let dca):
            strategy = Strategy(name: "dca", params: BotParameters.dca(dca).texts.mapValues { .text($0) })
            symbol = dca.symbol
        case .signal(let signal):
            strategy = Strategy(name: "signal", params: [:])
            symbol = signal.symbol
        }
        let running = bot.running?.response
        if bot.isHosted {
            let status = bot.hosted
            self.init(
                botId: bot.record.id, name: definition.name, mode: definition.mode.rawValue, isFirst: bot.isFirst, strategy: strategy,
                symbols: definition.symbols, symbol: symbol, allocationUsdt: DecimalText.format(definition.allocationUsdt),
                paperBalances: definition.paperBalances.sorted { $0.key < $1.key }.map { Balance(asset: $0.key, amount: DecimalText.format($0.value)) },
                settings: nil, state: bot.state, stateReason: bot.stateReason, openPositions: status.map { $0.held > 0 ? 1 : 0 },
                openPositionsReason: status == nil ? "not_reported" : nil, todayPnlUsdt: status.map { DecimalText.format($0.todayPnL) },
                todayPnlUsdtReason: status == nil ? "not_reported" : nil, staleSince: bot.staleSince, wanted: bot.record.wanted, run: status.map(BotRunResponse.init),
                runReason: status == nil ? "not_reported" : nil, createdAt: bot.record.createdAt, updatedAt: bot.record.updatedAt)
            return
        }
        self.init(
            botId: bot.record.id, name: definition.name, mode: definition.mode.rawValue, isFirst: bot.isFirst, strategy: strategy,
            symbols: definition.symbols, symbol: symbol, allocationUsdt: DecimalText.format(definition.allocationUsdt),
            paperBalances: definition.paperBalances.sorted { $0.key < $1.key }.map { Balance(asset: $0.key, amount: DecimalText.format($0.value)) },
            settings: settings, state: bot.state, stateReason: bot.stateReason, openPositions: running?.openPositions,
            openPositionsReason: running == nil ? "not_running" : running?.openPositionsReason, todayPnlUsdt: running?.todayPnlUsdt,
            todayPnlUsdtReason: running == nil ? "not_running" : running?.todayPnlUsdtReason, staleSince: running?.staleSince,
            createdAt: bot.record.createdAt, updatedAt: bot.record.updatedAt
        )
    }
}

/// `GET /api/v1/bots`: every bot of the user, oldest (the first) first, and how many they may have.
struct BotListResponse: Encodable, Sendable {
    let items: [BotItemResponse]
    let maxPerUser: Int
}
