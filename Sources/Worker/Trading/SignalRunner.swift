import Common
import Foundation

/// Carries out a `signal` bot's orders on an exchange: its ``SignalBook`` decides what a signal
/// from the bot's hook does; this places and cancels it and tells the book what filled. Client
/// ids name the bot and the order's number (`…-<bot>-H<number in base 36>`), so its orders are
/// found again after a restart and no other bot's (or the first bot's reconciliation) touches
/// them.
actor SignalRunner {
    let client: any ExchangeClient
    let user: Int64
    let bot: Int64
    let symbol: String
    let filters: SymbolFilters
    private(set) var book: SignalBook
    /// The fills since the last ``takeFills()``, as the bot's status shows them.
    private var fills: [BotRunStatus.Fill] = []

    init(client: any ExchangeClient, user: Int64, bot: Int64, filters: SymbolFilters, book: SignalBook) {
        self.client = client
        self.user = user
        self.bot = bot
        self.symbol = filters.symbol
        self.filters = filters
        self.book = book
    }

    func takeFills() -> [BotRunStatus.Fill] {
        defer { fills = [] }
        return fills
    }

    func clientOrderID(_ number: Int) -> String {
        ClientOrderID.make(user: user, symbol: symbol, key: bot, purpose: "H" + String(number, radix: 36))
    }

    /// The orders a signal asks for, recorded in the book as sent before any goes out (the
    /// caller stores the book, so a worker killed meanwhile looks them up by their client ids).
    func prepare(_ action: SignalHookRequest.Action, price: Decimal, allocation: Decimal) -> Result<SignalBook.Plan, SignalActionRefusal> {
        let planned = book.plan(action, price: price, filters: filters, allocation: allocation)
        if case .success(let plan) = planned { for order in plan.place { book.sent(order) } }
        return planned
    }

    /// Cancels and places what `plan` says; returns what happened, as the signal's outcome.
    func execute(_ plan: SignalBook.Plan) async -> String {
        var said: [String] = []
        for number in plan.cancel {
            do {
                try await DCARunner.cancel(client, symbol: symbol, clientOrderID: clientOrderID(number))
                try await look(number)
                said.append("cancelled order H\(String(number, radix: 36))")
            } catch {
                return "refused: cancelling order H\(String(number, radix: 36)) failed (\(error)); " + (said.isEmpty ? "nothing done" : said.joined(separator: ", "))
            }
        }
        for order in plan.place {
            let kind: NewOrder.Kind =
                if let price = order.price, let quantity = order.quantity {
                    .limit(quantity: quantity, price: price, timeInForce: "GTC")
                } else if let quantity = order.quantity {
                    .market(quantity: quantity)
                } else {
                    .marketQuote(quoteQuantity: order.quote ?? 0)
                }
            let side: SymbolFilters.Side = order.side == .buy ? .buy : .sell
            do throws(ExchangeError) {
                let report = try await client.place(NewOrder(symbol: symbol, side: side, kind: kind, clientOrderID: clientOrderID(order.number)))
                said.append(try await settle(order.number, report))
            } catch .rejected(_, let message) {
                book.ended(order.number)
                return "refused by the exchange: \(message)" + (said.isEmpty ? "" : "; " + said.joined(separator: ", "))
            } catch {
                // Sent or not: the order stays in the book until the next look finds it (or not).
                return "unknown: order H\(String(order.number, radix: 36)) went out without an answer (\(error)); the bot looks it up"
            }
        }
        return "ok: " + said.joined(separator: ", ")
    }

    /// Looks at every order the book has resting: what filled, what ended.
    func sync() async throws(ExchangeError) {
        for order in book.resting { try await look(order.number) }
    }

    /// The bot stops: its resting orders are cancelled and, when `sell`, its coins sold at market
    /// (at `price`, the last one, for the filters' check). Returns why nothing was sold, if so.
    func end(sell: Bool, price: Decimal?) async throws(ExchangeError) -> String? {
        for order in book.resting {
            try await DCARunner.cancel(client, symbol: symbol, clientOrderID: clientOrderID(order.number))
            try await look(order.number)
        }
        guard sell else { return nil }
        guard let price else { return "the exchange's price is unknown, so nothing was sold" }
        switch book.plan(.close, price: price, filters: filters, allocation: 0) {
        case .failure(let refusal):
            return refusal.description
        case .success(let plan):
            for sale in plan.place {
                book.sent(sale)
                let report = try await client.place(
                    NewOrder(symbol: symbol, side: .sell, kind: .market(quantity: sale.quantity ?? 0), clientOrderID: clientOrderID(sale.number)))
                _ = try await settle(sale.number, report)
            }
            return nil
        }
    }

    /// One order's state at the exchange.
    private func look(_ number: Int) async throws(ExchangeError) {
        guard let report = try await client.resolve(symbol: symbol, clientOrderID: clientOrderID(number)) else {
            book.ended(number)  // never placed
            return
        }
        _ = try await settle(number, report)
    }

    /// What an answer about an order means for the book; its words for the outcome.
    private func settle(_ number: Int, _ report: OrderReport) async throws(ExchangeError) -> String {
        let name = "order H\(String(number, radix: 36))"
        let status = OrderStatus(rawValue: report.status)
        if status?.isOpen == true {
            // A limit order rests (partly filled or not): its fills count when it ends.
            return "\(name) rests: \(report.side) \(DecimalText.plain(report.origQty)) at \(DecimalText.plain(report.price))"
        }
        guard report.executedQty > 0 else {
            book.ended(number)
            return "\(name) \(report.status.lowercased())"
        }
        let filled = try await OrderFill.of(report, client: client, filters: filters)
        let side: SignalBook.Order.Side = report.side == "BUY" ? .buy : .sell
        book.filled(number, side: side, price: filled.price, quantity: filled.quantity, feeQuote: filled.feeQuote, baseFee: side == .buy ? filled.baseFee : 0)
        let time = report.time ?? Int64(Date().timeIntervalSince1970 * 1000)
        fills.append(BotRunStatus.Fill(time: time, side: report.side, price: filled.price, quantity: filled.quantity, feeQuote: filled.feeQuote, level: nil, role: "signal \(name)"))
        return "\(report.side == "BUY" ? "bought" : "sold") \(DecimalText.plain(filled.quantity)) at \(DecimalText.plain(filled.price)) (\(name))"
    }
}
