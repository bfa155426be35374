import Common
import Foundation

/// What `/` shows, read from central.sqlite in one place: the portfolio and the bot as the
/// worker reported them, the equity series, the total at the start of the day (for its change
/// today), the PnL realised by the bot's fills today, this week and in all, and the last fills.
struct OverviewData {
    var key: StoredExchangeKey?
    var bot: BotView?
    /// Every bot of the user, the first first.
    var bots: BotsView?
    var portfolio: PortfolioView?
    var equity: [(time: Date, totalUSDT: Decimal)] = []
    /// The last equity sample before today began (in the user's zone), else today's first one.
    var dayStart: (time: Date, totalUSDT: Decimal)?
    var realised: RealisedPnL?
    var lastFills: [BotFill] = []
    var timeZone = TimeZone.gmt

    /// The fills' realised PnL per period, as `/api/v1/reports` computes it (PnLReport): every
    /// fill counts, since a sale's PnL is against the average entry of all the buys before it.
    struct RealisedPnL: Equatable {
        var today: Decimal
        var week: Decimal
        var all: Decimal
        var sales: Int
    }

    static let lastFillCount = 5

    static func load(
        _ database: CentralDatabase, user: UserID, range: HomePage.EquityRange, pnl: RealisedPnLBook, now: Date
    ) throws -> OverviewData {
        var data = OverviewData()
        data.key = try database.exchangeKeys.key(for: user)
        data.bot = try BotView.load(database, user: user, now: now)
        data.bots = try BotsView.load(database, user: user, now: now)
        data.portfolio = try PortfolioView.load(database, user: user, now: now)
        data.equity = try database.portfolios.equity(for: user, since: range.since(now), points: 400)
        data.timeZone = try database.bots.settings(for: user)?.timeZone ?? .gmt
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = data.timeZone
        let startOfDay = calendar.startOfDay(for: now)
        data.dayStart =
            try database.portfolios.equity(for: user, bot: nil, limit: 1, before: startOfDay).first
            ?? database.portfolios.equity(for: user, since: startOfDay, points: 400).first
        data.lastFills = try database.trading.fills(for: user, symbol: nil, before: nil, limit: lastFillCount)
        data.realised = try pnl.pnl(database, user: user, now: now, calendar: calendar)
        return data
    }

    static func realised(_ fills: [BotFill], now: Date, calendar: Calendar) -> RealisedPnL {
        let days = PnLReport.rows(fills, period: .day, timeZone: calendar.timeZone)
        let weeks = PnLReport.rows(fills, period: .week, timeZone: calendar.timeZone)
        let today = calendar.startOfDay(for: now)
        let week = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? today
        return RealisedPnL(
            today: days.first { $0.start == today }?.realizedPnL ?? 0, week: weeks.first { $0.start == week }?.realizedPnL ?? 0,
            all: days.reduce(0) { $0 + $1.realizedPnL }, sales: days.reduce(0) { $0 + $1.trades }
        )
    }
}
