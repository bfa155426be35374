import Foundation

/// An order a person places by hand (`POST /api/v1/orders`, the form on `/trading`): market or
/// limit, with optional exits that rest on the exchange as one OCO once it fills. The web checks
/// it against the symbol's filters before it is sent on; the worker checks it again and places it
/// under a client id derived from `requestID`, so that a repeated request places nothing twice.
public struct ManualOrder: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case market, limit }

    public var symbol: String
    public var side: String
    public var type: Kind
    /// Base asset quantity; for a market buy `quoteQuantity` may stand instead.
    public var quantity: Decimal?
    public var quoteQuantity: Decimal?
    public var price: Decimal?
    /// `GTC` (default), `IOC` or `FOK`, for a limit order.
    public var timeInForce: String?
    public var takeProfit: Decimal?
    public var stopLoss: Decimal?
    /// 1–16 characters `[A-Za-z0-9]`: the same request gets the same order.
    public var requestID: String
    /// When the web took the request; a worker that gets it much later (it was not running, the
    /// command waited) does not place it: a price decided on then may be far from the market now.
    public var requestedAt: Date?

    /// How long after the request an order may still be placed.
    public static let maxDelay: TimeInterval = 60

    enum CodingKeys: String, CodingKey {
        case symbol, side, type, quantity, price
        case quoteQuantity = "quote_quantity"
        case timeInForce = "time_in_force"
        case takeProfit = "take_profit"
        case stopLoss = "stop_loss"
        case requestID = "request_id"
        case requestedAt = "requested_at"
    }

    public init(
        symbol: String, side: String, type: Kind, quantity: Decimal?, quoteQuantity: Decimal? = nil, price: Decimal? = nil, timeInForce: String? = nil,
        takeProfit: Decimal? = nil, stopLoss: Decimal? = nil, requestID: String
    ) {
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.quoteQuantity = quoteQuantity
        self.price = price
        self.timeInForce = timeInForce
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss
        self.requestID = requestID
    }

    /// The exchange's client order id for this order: the web answers it and the worker places
    /// the order under it, so both must compute it here. The same `requestID` gives the same id,
    /// which the exchange refuses to open twice.
    public func clientOrderID(user: Int64) -> String {
        String("u\(user)-\(ClientOrderID.shortSymbol(symbol))-\(requestID)-M".prefix(ClientOrderID.maxLength))
    }

    /// Why a manual order cannot be sent: the field, and a sentence for the person.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let field: String
        public let message: String
        public var description: String { "\(field): \(message)" }
        public init(_ field: String, _ message: String) {
            self.field = field
            self.message = message
        }
    }

    /// Checks the order against the symbol's filters at `lastPrice` (the reference for a market
    /// order's value and for where the exits may sit). Returns the order as it will be sent:
    /// quantity and prices must already be multiples of the step and tick — a person's number is
    /// never silently changed.
    public func validated(filters: SymbolFilters, lastPrice: Decimal) throws(Problem) -> ManualOrder {
        guard side == "BUY" || side == "SELL" else { throw Problem("side", "must be BUY or SELL") }
        guard requestID.count >= 1, requestID.count <= 16, requestID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw Problem("request_id", "must be 1 to 16 letters or digits")
        }
        let isBuy = side == "BUY"
        var checkPrice = lastPrice
        switch type {
        case .market:
            if price != nil { throw Problem("price", "a market order takes no price") }
            if timeInForce != nil { throw Problem("time_in_force", "a market order takes no time in force") }
        case .limit:
            guard let price else { throw Problem("price", "a limit order needs a price") }
            checkPrice = price
            guard ["GTC", "IOC", "FOK", nil].contains(timeInForce) else { throw Problem("time_in_force", "must be GTC, IOC or FOK") }
            if quoteQuantity != nil { throw Problem("quote_quantity", "a limit order takes a quantity, not an amount in \(filters.quoteAsset)") }
        }
        if let quoteQuantity {
            guard type == .market, quantity == nil else { throw Problem("quote_quantity", "give either quantity or quote_quantity, for a market order only") }
            guard quoteQuantity >= filters.minNotional else {
                throw Problem("quote_quantity", "Filter failure: NOTIONAL (order value \(quoteQuantity) \(filters.quoteAsset) is below the minimum \(filters.minNotional))")
            }
        } else {
            guard let quantity else { throw Problem("quantity", "is required") }
            do {
                try filters.check(quantity: quantity, price: checkPrice, isMarket: type == .market)
            } catch {
                throw Problem(error.filter == "PRICE_FILTER" ? "price" : "quantity", error.description)
            }
        }
        if takeProfit != nil || stopLoss != nil {
            guard isBuy else { throw Problem("take_profit", "exits are for buy orders: they sell what it bought") }
            guard let takeProfit, let stopLoss else { throw Problem(takeProfit == nil ? "take_profit" : "stop_loss", "exits need both a take-profit and a stop-loss (one OCO on the exchange)") }
            guard quoteQuantity == nil else { throw Problem("quote_quantity", "an order with exits needs a quantity") }
            let entry = checkPrice
            guard takeProfit > entry else { throw Problem("take_profit", "must be above the entry price \(entry)") }
            guard stopLoss < entry else { throw Problem("stop_loss", "must be below the entry price \(entry)") }
            for (field, value) in [("take_profit", takeProfit), ("stop_loss", stopLoss)] {
                do {
                    try filters.check(quantity: quantity ?? 0, price: value, isMarket: false)
                } catch {
                    throw Problem(field, error.description)
                }
            }
        }
        return self
    }
}

/// The JSON of a manual order (the API's body, the `place_order` command's payload): snake_case
/// keys, amounts written as decimal strings (`"0.001"`, CONTRACT §6) so no binary floating point
/// touches them. Reading accepts strings and JSON numbers, each at most 40 characters of plain
/// decimal text, so an absurd number is refused with the field's name instead of overflowing a
/// later check.
extension ManualOrder {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        side = try c.decode(String.self, forKey: .side)
        let kind = try c.decode(String.self, forKey: .type)
        guard let type = Kind(rawValue: kind) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "must be market or limit")
        }
        self.type = type
        quantity = try Self.decimal(c, .quantity)
        quoteQuantity = try Self.decimal(c, .quoteQuantity)
        price = try Self.decimal(c, .price)
        timeInForce = try c.decodeIfPresent(String.self, forKey: .timeInForce)
        takeProfit = try Self.decimal(c, .takeProfit)
        stopLoss = try Self.decimal(c, .stopLoss)
        requestID = try c.decode(String.self, forKey: .requestID)
        requestedAt = try c.decodeIfPresent(String.self, forKey: .requestedAt).flatMap { Timestamp.date($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(side, forKey: .side)
        try c.encode(type.rawValue, forKey: .type)
        for (key, value) in [
            (CodingKeys.quantity, quantity), (.quoteQuantity, quoteQuantity), (.price, price), (.takeProfit, takeProfit), (.stopLoss, stopLoss),
        ] {
            if let value { try c.encode(Self.text(value), forKey: key) }
        }
        try c.encodeIfPresent(timeInForce, forKey: .timeInForce)
        try c.encode(requestID, forKey: .requestID)
        try c.encodeIfPresent(requestedAt.map(Timestamp.string), forKey: .requestedAt)
    }

    /// Plain decimal text, never an exponent.
    static func text(_ value: Decimal) -> String {
        "\(value)"
    }

    static let amountHint = "must be a decimal number as a string, such as \"0.001\""

    static func decimal(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Decimal? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        let text: String
        if let string = try? c.decode(String.self, forKey: key) {
            text = string.trimmingCharacters(in: .whitespaces)
        } else if let number = try? c.decode(Decimal.self, forKey: key), number.isFinite {
            text = Self.text(number)
        } else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: amountHint)
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let value = DecimalText.parse(text), value.isFinite
        else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: amountHint)
        }
        return value
    }
}
