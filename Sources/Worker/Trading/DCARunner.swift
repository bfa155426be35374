import Common
import Foundation

/// Carries out DCA deals on an exchange: each deal's ``DCADeal`` decides, this places and cancels
/// what it asks for and tells it what filled. Client ids name the bot, the deal and the order
/// (`…-<bot>-D<deal>B` the base order, `S<k>` safety order k, `T<n>` the n-th take-profit, `X` a
/// sale at market; deal and numbers in lower-case base 36), so a deal's orders are found again
/// after a restart.
actor DCARunner {
    let client: any ExchangeClient
    let user: Int64
    let bot: Int64
    let plan: DCAPlan
    let filters: SymbolFilters
    private(set) var deals: [Int: DCADeal] = [:]
    /// The fills since the last ``takeFills()``, as the bot's status shows them.
    private var fills: [BotRunStatus.Fill] = []

    init(client: any ExchangeClient, user: Int64, bot: Int64, plan: DCAPlan, filters: SymbolFilters) {
        self.client = client
        self.user = user
        self.bot = bot
        self.plan = plan
        self.filters = filters
    }

    var symbol: String { plan.parameters.symbol }

    /// The fills found since the last call, oldest first.
    func takeFills() -> [BotRunStatus.Fill] {
        defer { fills = [] }
        return fills
    }

    private func log(_ report: OrderReport, _ fill: DCAFill, side: String, role: String) {
        let time = report.time ?? Int64(Date().timeIntervalSince1970 * 1000)
        fills.append(BotRunStatus.Fill(time: time, side: side, price: fill.price, quantity: fill.quantity, feeQuote: fill.feeQuote, level: nil, role: role))
    }

    func clientOrderID(deal: Int, _ order: String) -> String {
        ClientOrderID.make(user: user, symbol: symbol, key: bot, purpose: "D" + String(deal, radix: 36) + order)
    }

    /// Opens deal `number` with its base order at market; its safety orders and take-profit go
    /// out at once.
    func open(deal number: Int) async throws(ExchangeError) {
        var deal = DCADeal(plan: plan, filters: filters)
        guard case .buyAtMarket(let quote) = deal.opening else { return }
        let report = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .marketQuote(quoteQuantity: quote), clientOrderID: clientOrderID(deal: number, "B")))
        let base = try await fill(of: report)
        log(report, base, side: "BUY", role: "deal \(number) base")
        let actions = deal.baseFilled(base)
        deals[number] = deal
        try await carryOut(actions, deal: number)
    }

    /// Looks at each open deal's resting orders: a filled safety order moves the take-profit,
    /// a filled take-profit closes the deal. Then the price's own exits (stop-loss, trailing).
    func sync(price: Decimal) async throws(ExchangeError) {
        for number in deals.keys.sorted() {
            guard var deal = deals[number], deal.phase == .open else { continue }
            var actions: [DCAAction] = []
            for order in deal.safetyOrders.dropFirst(deal.safetyFilled) {
                guard let report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(deal: number, "S\(String(order.index, radix: 36))")),
                    report.status == OrderStatus.filled.rawValue
                else { break }
                let filled = try await fill(of: report)
                log(report, filled, side: "BUY", role: "deal \(number) safety \(order.index)")
                actions += deal.safetyFilled(index: order.index, filled)
            }
            let takeProfit = clientOrderID(deal: number, "T" + String(deal.takeProfitSequence, radix: 36))
            if plan.parameters.trailingPct == nil, !actions.contains(where: { if case .placeTakeProfit = $0 { true } else { false } }),
                let report = try await client.resolve(symbol: symbol, clientOrderID: takeProfit), report.status == OrderStatus.filled.rawValue
            {
                let filled = try await fill(of: report)
                log(report, filled, side: "SELL", role: "deal \(number) take-profit")
                actions += deal.exitFilled(price: filled.price, quantity: filled.quantity, feeQuote: filled.feeQuote, reason: "take-profit")
            }
            actions += deal.onPrice(price)
            deals[number] = deal
            try await carryOut(actions, deal: number)
        }
    }

    /// Brings deal `number` back after a restart from the exchange: its base order's fill, its
    /// safety orders' fills, what rests. A safety order that filled while the worker was down
    /// moves the take-profit; nothing that rests is placed twice. False when the deal never
    /// opened (its base order did not fill).
    @discardableResult
    func rebuild(deal number: Int) async throws(ExchangeError) -> Bool {
        guard let base = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(deal: number, "B")),
            base.status == OrderStatus.filled.rawValue
        else { return false }
        let baseFill = try await fill(of: base)
        let safety = plan.safetyOrders(entry: baseFill.price, filters: filters)
        var safetyFills: [DCAFill] = []
        var resting: Set<Int> = []
        for order in safety {
            let report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(deal: number, "S" + String(order.index, radix: 36)))
            // Filled counts only without a gap: the ones before it filled too.
            if let report, report.status == OrderStatus.filled.rawValue, safetyFills.count == order.index - 1 {
                safetyFills.append(try await fill(of: report))
            } else if let report, Self.rests(report) {
                resting.insert(order.index)
            }
        }
        // A take-profit is re-placed once per safety fill: sequences 0 … the number of safety fills.
        var restingTakeProfits: Set<Int> = []
        var takeProfitFill: (sequence: Int, fill: DCAFill)?
        for sequence in 0...safety.count {
            guard let report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(deal: number, "T" + String(sequence, radix: 36))) else { continue }
            if Self.rests(report) {
                restingTakeProfits.insert(sequence)
            } else if report.status == OrderStatus.filled.rawValue, takeProfitFill == nil {
                takeProfitFill = (sequence, try await fill(of: report))
            }
        }
        let rebuilt = DCARebuild.rebuild(
            plan: plan, filters: filters, base: baseFill, safetyFills: safetyFills, restingSafety: resting, restingTakeProfits: restingTakeProfits,
            takeProfitFill: takeProfitFill)
        deals[number] = rebuilt.deal
        try await carryOut(rebuilt.cancel + rebuilt.place, deal: number)
        return true
    }

    /// The bot stops: every open deal's resting orders are cancelled and, when `sell`, its coins
    /// sold at market.
    func end(sell: Bool) async throws(ExchangeError) {
        for number in deals.keys.sorted() {
            guard var deal = deals[number] else { continue }
            let actions = deal.stop(sell: sell, reason: sell ? "stopped and sold" : "stopped")
            deals[number] = deal
            try await carryOut(actions, deal: number)
        }
    }

    private static func rests(_ report: OrderReport) -> Bool {
        OrderStatus(rawValue: report.status)?.isOpen == true
    }

    private func carryOut(_ actions: [DCAAction], deal number: Int) async throws(ExchangeError) {
        for action in actions {
            switch action {
            case .buyAtMarket(let quote):
                _ = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .marketQuote(quoteQuantity: quote), clientOrderID: clientOrderID(deal: number, "B")))
            case .placeSafety(let order):
                let id = clientOrderID(deal: number, "S" + String(order.index, radix: 36))
                _ = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .limit(quantity: order.quantity, price: order.price, timeInForce: "GTC"), clientOrderID: id))
            case .cancelSafety(let index):
                try await Self.cancel(client, symbol: symbol, clientOrderID: clientOrderID(deal: number, "S" + String(index, radix: 36)))
            case .placeTakeProfit(let sequence, let price, let quantity):
                let id = clientOrderID(deal: number, "T" + String(sequence, radix: 36))
                _ = try await client.place(NewOrder(symbol: symbol, side: .sell, kind: .limit(quantity: quantity, price: price, timeInForce: "GTC"), clientOrderID: id))
            case .cancelTakeProfit(let sequence):
                try await Self.cancel(client, symbol: symbol, clientOrderID: clientOrderID(deal: number, "T" + String(sequence, radix: 36)))
            case .sellAtMarket(let quantity, let reason):
                let report = try await client.place(NewOrder(symbol: symbol, side: .sell, kind: .market(quantity: quantity), clientOrderID: clientOrderID(deal: number, "X")))
                let filled = try await fill(of: report)
                log(report, filled, side: "SELL", role: "deal \(number) sale")
                guard var deal = deals[number] else { continue }
                _ = deal.exitFilled(price: filled.price, quantity: filled.quantity, feeQuote: filled.feeQuote, reason: reason)
                deals[number] = deal
            }
        }
    }

    /// Cancels an order; one the exchange no longer has open (filled, cancelled, never placed)
    /// is no error. Any other failure is thrown: the order's state must be looked at again.
    static func cancel(_ client: any ExchangeClient, symbol: String, clientOrderID: String) async throws(ExchangeError) {
        do {
            _ = try await client.cancel(symbol: symbol, clientOrderID: clientOrderID)
        } catch .rejected(let code, _) where code == -2011 {
            return
        }
    }

    private func fill(of report: OrderReport) async throws(ExchangeError) -> DCAFill {
        let filled = try await OrderFill.of(report, client: client, filters: filters)
        return DCAFill(price: filled.price, quantity: filled.quantity, feeQuote: filled.feeQuote, baseFee: filled.baseFee)
    }
}
