import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Manual orders

    /// A person's order from `/trading` or `POST /api/v1/orders`: checked again against the
    /// symbol's filters, placed once under the client id its request names, and, when it has
    /// exits, followed by their OCO as soon as it fills.
    func placeManual(payload: String?) async -> String {
        guard let payload, let manual = try? JSONDecoder().decode(ManualOrder.self, from: Data(payload.utf8)) else {
            return "refused: place_order needs a manual order"
        }
        if let asked = manual.requestedAt, Date().timeIntervalSince(asked) > ManualOrder.maxDelay {
            event("warning", "orders", "manual order \(manual.requestID) not placed: requested at \(Timestamp.string(asked)), more than \(Int(ManualOrder.maxDelay)) s ago")
            return "refused: requested at \(Timestamp.string(asked)), more than \(Int(ManualOrder.maxDelay)) s ago; not placed"
        }
        await knowSymbol(manual.symbol)
        // The exchange's price now: the bot's own may be a warm-up candle's close, seconds old,
        // and a person's levels are checked against the market they were set against.
        guard let filter = filters[manual.symbol], let price = await currentPrice(manual.symbol) else {
            return "refused: \(manual.symbol) has no filters or price from the exchange yet"
        }
        let order: ManualOrder
        do {
            order = try manual.validated(filters: filter, lastPrice: price)
        } catch {
            return "refused: \(error)"
        }
        let id = Self.manualClientOrderID(order, user: user)
        if let tp = order.takeProfit, let sl = order.stopLoss {
            try? database.setState("manual_exits.\(id)", "\(DecimalText.format(tp))|\(DecimalText.format(sl))")
        }
        let side: SymbolFilters.Side = order.side == "BUY" ? .buy : .sell
        let kind: NewOrder.Kind =
            switch order.type {
            case .market: order.quoteQuantity.map { .marketQuote(quoteQuantity: $0) } ?? .market(quantity: order.quantity ?? 0)
            case .limit: .limit(quantity: order.quantity ?? 0, price: order.price ?? 0, timeInForce: order.timeInForce ?? "GTC")
            }
        let exits = order.takeProfit.map { " with take-profit \($0) and stop-loss \(order.stopLoss ?? 0)" } ?? ""
        guard let placed = await place(NewOrder(symbol: order.symbol, side: side, kind: kind, clientOrderID: id), reason: "manual order\(exits)") else {
            return "ok"  // this request was placed before
        }
        return placed.status == .rejected ? "refused: \(placed.reason ?? "the exchange refused it")" : "ok"
    }

    /// The client id of a manual order (the web computes the same, to answer with it).
    static func manualClientOrderID(_ order: ManualOrder, user: UserID) -> String {
        order.clientOrderID(user: user.rawValue)
    }

    /// The exits a manual buy asked for, as one OCO on what it bought (less a commission taken in
    /// the coin), once it has filled.
    func placeManualExits(for order: OrderRecord) async {
        guard order.status == .filled, let raw = try? database.state("manual_exits.\(order.clientOrderID)") else { return }
        let parts = raw.split(separator: "|").compactMap { DecimalText.parse(String($0)) }
        guard parts.count == 2, let filter = filters[order.symbol], let price = await currentPrice(order.symbol) ?? order.price else { return }
        let bought = ((try? database.fills()) ?? []).filter { $0.clientOrderID == order.clientOrderID }.reduce(Decimal(0)) { sum, fill in
            sum + fill.qty - (fill.commissionAsset == filter.baseAsset ? fill.commission : 0)
        }
        let qty = filter.roundQuantity(min(bought, positions[order.symbol]?.qty ?? 0))
        switch ExitPlan.legs(
            symbol: order.symbol, quantity: qty, takeProfit: parts[0], stop: ExitPlan.Stop(price: parts[1], trailingBips: nil), filters: filter,
            lastPrice: price, ids: .manual(order.clientOrderID))
        {
        case .oco(let list): await placeList(list, reason: "exits of manual order \(order.clientOrderID)")
        case .none, .single: break
        case .impossible(let why):
            exitsInBot.insert(order.symbol)
            event("warning", "risk", "\(order.symbol): the manual order's exits stay with the bot — \(why)")
        }
    }

    /// The exchange's last price of a symbol, asked now (a manual order's checks); the bot's last
    /// known one when the exchange does not answer.
    func currentPrice(_ symbol: String) async -> Decimal? {
        if let fresh = try? await client.tickerPrices()[symbol] {
            prices[symbol] = fresh
            return fresh
        }
        return prices[symbol]
    }

    /// Reads a symbol's filters and price when the bot does not trade it (a manual order, a
    /// position left from earlier settings).
    func knowSymbol(_ symbol: String) async {
        if filters[symbol] == nil, let info = try? await client.exchangeInfo(symbols: [symbol]).first { filters[symbol] = info }
        if prices[symbol] == nil, let price = try? await client.tickerPrices()[symbol] { prices[symbol] = price }
    }
}
