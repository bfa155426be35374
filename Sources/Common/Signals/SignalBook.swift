import Foundation

/// A `signal` bot's parameters: the symbol its hook's signals trade.
public struct SignalBotParameters: Sendable, Equatable {
    public var symbol: String

    public init(symbol: String) { self.symbol = symbol }
}

/// What a `signal` bot holds and has resting, and the decision of what a signal from its hook
/// does: which orders, or why none. Pure: the worker's ``SignalRunner`` places what it plans and
/// tells it what filled. Kept in the worker's record across restarts (its resting orders are
/// found again by their numbers, part of their client ids).
///
/// Amounts: `amount_usdt` and `amount_base` as given; `allocation_pct` is a share of the bot's
/// allocation for a buy and of what it holds for a sell. A buy may not take the bot past its
/// allocation (what it holds at cost plus its resting buys); a sell may not sell more than it
/// holds and has not already offered.
public struct SignalBook: Sendable, Equatable, Codable {
    public struct Order: Sendable, Equatable, Codable {
        public enum Side: String, Sendable, Equatable, Codable { case buy = "BUY", sell = "SELL" }
        public var number: Int
        public var side: Side
        /// nil: at market.
        public var price: Decimal?
        /// The base quantity; a market buy by quote has it nil and `quote` set.
        public var quantity: Decimal?
        public var quote: Decimal?

        public init(number: Int, side: Side, price: Decimal?, quantity: Decimal?, quote: Decimal? = nil) {
            self.number = number
            self.side = side
            self.price = price
            self.quantity = quantity
            self.quote = quote
        }
    }

    /// What a signal asks for: orders to place, and the numbers of resting orders to cancel first.
    public struct Plan: Sendable, Equatable {
        public var cancel: [Int] = []
        public var place: [Order] = []
    }

    public private(set) var held: Decimal = 0
    /// What `held` cost, fees in (its average entry is cost / held).
    public private(set) var cost: Decimal = 0
    public private(set) var realised: Decimal = 0
    /// Resting limit orders (and, for a moment, orders sent whose outcome is not known yet).
    public private(set) var resting: [Order] = []
    public private(set) var nextOrder = 1

    public init() {}

    public var averageEntry: Decimal? { held > 0 ? cost / held : nil }

    /// What the bot has in use: its coins at cost and its resting buys.
    public var used: Decimal {
        cost + resting.filter { $0.side == .buy }.reduce(0) { $0 + ($1.quote ?? ($1.quantity ?? 0) * ($1.price ?? 0)) }
    }

    /// Coins already offered by resting sells.
    public var offered: Decimal { resting.filter { $0.side == .sell }.reduce(0) { $0 + ($1.quantity ?? 0) } }

    /// The orders a signal asks for at the last `price`, each already checked against the
    /// exchange's filters and the bot's allocation and holdings; or the reason it does nothing.
    public mutating func plan(
        _ action: SignalHookRequest.Action, price: Decimal, filters: SymbolFilters, allocation: Decimal
    ) -> Result<Plan, SignalActionRefusal> {
        func refuse(_ text: String) -> Result<Plan, SignalActionRefusal> { .failure(SignalActionRefusal(text)) }
        func check(_ quantity: Decimal, _ price: Decimal, market: Bool) -> SignalActionRefusal? {
            do throws(SymbolFilters.Refusal) {
                try filters.check(quantity: quantity, price: price, isMarket: market)
                return nil
            } catch {
                return SignalActionRefusal(error.description)
            }
        }
        switch action {
        case .cancelAll:
            guard !resting.isEmpty else { return refuse("no order of the bot rests") }
            return .success(Plan(cancel: resting.map(\.number)))
        case .close:
            // Its resting sells go first: what they offered is sold at market with the rest.
            let sells = resting.filter { $0.side == .sell }.map(\.number)
            let quantity = filters.roundQuantity(held)
            guard quantity > 0 else { return refuse("the bot holds no \(filters.baseAsset) to sell") }
            if let refusal = check(quantity, price, market: true) { return .failure(refusal) }
            return .success(Plan(cancel: sells, place: [take(.sell, price: nil, quantity: quantity)]))
        case .startDeal:
            return refuse("a signal bot opens no deals; it takes buy, sell, close and cancel_all")
        case .buy(let order):
            let limit: Decimal? = if case .limit(let at) = order.kind { SymbolFilters.floor(at, step: filters.tickSize) } else { nil }
            let at = limit ?? price
            var quote: Decimal
            var quantity: Decimal?
            switch order.amount {
            case .quote(let value): quote = value
            case .allocationShare(let share): quote = allocation * share
            case .base(let base):
                quantity = filters.roundQuantity(base)
                quote = filters.roundQuantity(base) * at
            }
            if limit != nil, quantity == nil {
                quantity = filters.roundQuantity(quote / at)
                quote = filters.roundQuantity(quote / at) * at
            }
            guard used + quote <= allocation else {
                return refuse(
                    "a buy of \(DecimalText.plain(quote)) \(filters.quoteAsset) would take the bot past its allocation (\(DecimalText.plain(used)) of \(DecimalText.plain(allocation)) in use)")
            }
            if let quantity {
                if let refusal = check(quantity, at, market: limit == nil) { return .failure(refusal) }
                return .success(Plan(place: [take(.buy, price: limit, quantity: quantity)]))
            }
            // A market buy by quote: the exchange fills what the quote buys.
            if let refusal = check(filters.roundQuantity(quote / price), price, market: true) { return .failure(refusal) }
            return .success(Plan(place: [take(.buy, price: nil, quantity: nil, quote: SymbolFilters.floor(quote, step: Decimal(sign: .plus, exponent: -8, significand: 1)))]))
        case .sell(let order):
            let limit: Decimal? = if case .limit(let at) = order.kind { SymbolFilters.ceil(at, step: filters.tickSize) } else { nil }
            let at = limit ?? price
            let free = held - offered
            let wanted: Decimal =
                switch order.amount {
                case .base(let base): base
                case .quote(let value): value / at
                case .allocationShare(let share): held * share
                }
            let quantity = filters.roundQuantity(wanted)
            guard quantity > 0 else { return refuse("the bot holds no \(filters.baseAsset) to sell") }
            guard quantity <= free else {
                return refuse("the bot holds \(DecimalText.plain(free)) \(filters.baseAsset) not already offered; the signal asks to sell \(DecimalText.plain(quantity))")
            }
            if let refusal = check(quantity, at, market: limit == nil) { return .failure(refusal) }
            return .success(Plan(place: [take(.sell, price: limit, quantity: quantity)]))
        }
    }

    private mutating func take(_ side: Order.Side, price: Decimal?, quantity: Decimal?, quote: Decimal? = nil) -> Order {
        defer { nextOrder += 1 }
        return Order(number: nextOrder, side: side, price: price, quantity: quantity, quote: quote)
    }

    /// An order sent: it rests until ``filled(_:price:quantity:feeQuote:)`` or ``ended(_:)``.
    public mutating func sent(_ order: Order) {
        resting.removeAll { $0.number == order.number }
        resting.append(order)
        nextOrder = max(nextOrder, order.number + 1)
    }

    /// What an order filled (all of it, or the part of one cancelled or expired after a partial
    /// fill): the holdings, their cost and the realised PnL move. `baseFee` is a fee taken in the
    /// coin (the exchange keeps it from what was bought).
    public mutating func filled(_ number: Int, side: Order.Side, price: Decimal, quantity: Decimal, feeQuote: Decimal, baseFee: Decimal = 0) {
        resting.removeAll { $0.number == number }
        guard quantity > 0 else { return }
        switch side {
        case .buy:
            held += quantity - baseFee
            cost += price * quantity + feeQuote
        case .sell:
            let sold = min(quantity, held)
            let average = held > 0 ? cost / held : 0
            realised += price * sold - feeQuote - average * sold
            cost -= average * sold
            held -= sold
            if held <= 0 {
                held = 0
                cost = 0
            }
        }
    }

    /// An order that ended without a fill (cancelled, expired, refused, never placed).
    public mutating func ended(_ number: Int) {
        resting.removeAll { $0.number == number }
    }
}

/// Why a signal bot did nothing with a signal (the command's result: `refused: …`).
public struct SignalActionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
