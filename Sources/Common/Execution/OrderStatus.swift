/// Where an order of ours stands: Binance's statuses, and three of our own for the moments the
/// exchange has not (or not yet) spoken. Orders are written down as `intent` before they are
/// sent, so that a decision is sent at most once whatever happens to the process.
public enum OrderStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Stored, not yet answered.
    case intent = "INTENT"
    /// Sent without an answer (timeout, 5xx): being looked up, never resent.
    case unknown = "UNKNOWN"
    /// The exchange never received it.
    case notPlaced = "NOT_PLACED"
    case pendingNew = "PENDING_NEW"
    case new = "NEW"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case rejected = "REJECTED"
    case expired = "EXPIRED"
    case expiredInMatch = "EXPIRED_IN_MATCH"
    /// Binance's `PENDING_CANCEL` is unused; anything else it might send is read as unknown.

    public var description: String { rawValue }

    /// The statuses Binance reports (anything else from the exchange is an invalid answer).
    public static let exchangeStatuses: Set<OrderStatus> = [.pendingNew, .new, .partiallyFilled, .filled, .canceled, .rejected, .expired, .expiredInMatch]

    /// May still trade, or may exist on the exchange: it holds funds, blocks a second order for
    /// the same purpose, and is looked up until its outcome is known.
    public var isOpen: Bool {
        switch self {
        case .intent, .unknown, .pendingNew, .new, .partiallyFilled: true
        case .notPlaced, .filled, .canceled, .rejected, .expired, .expiredInMatch: false
        }
    }

    /// Nothing more can happen to it.
    public var isFinal: Bool { !isOpen }

    /// Whether the exchange has the order (its answer gave this status).
    public var isOnExchange: Bool { Self.exchangeStatuses.contains(self) && self != .rejected }

    /// The statuses this one may move to. Staying put is always allowed (a repeated report);
    /// a final status moves nowhere, so a late or replayed report can never reopen an order.
    public var successors: Set<OrderStatus> {
        switch self {
        case .intent: [.unknown, .notPlaced, .rejected, .pendingNew, .new, .partiallyFilled, .filled, .canceled, .expired, .expiredInMatch]
        case .unknown: [.notPlaced, .pendingNew, .new, .partiallyFilled, .filled, .canceled, .expired, .expiredInMatch]
        case .pendingNew: [.new, .partiallyFilled, .filled, .canceled, .rejected, .expired, .expiredInMatch]
        case .new: [.partiallyFilled, .filled, .canceled, .expired, .expiredInMatch]
        case .partiallyFilled: [.filled, .canceled, .expired, .expiredInMatch]
        case .notPlaced, .filled, .canceled, .rejected, .expired, .expiredInMatch: []
        }
    }

    /// Whether `next` is a legal move from here (staying put included).
    public func canMove(to next: OrderStatus) -> Bool { next == self || successors.contains(next) }
}

/// What happens to an order, as the driver (the worker) sees it.
public enum OrderEvent: Sendable, Equatable {
    /// The exchange answered, or a lookup found it, with this status.
    case reported(OrderStatus)
    /// The send failed in a way that leaves the outcome open (timeout, 5xx, connection lost).
    case noAnswer
    /// The exchange refused it outright (filters, balance, a 4xx): it was never placed.
    case refused
    /// A lookup says the exchange does not know it, `secondsSinceSent` after it was sent.
    case notFound(secondsSinceSent: Double)
}

/// The order lifecycle: a status and the events that move it. Illegal moves are refused, never
/// applied, so a stale report cannot undo a fill.
public struct OrderLifecycle: Sendable, Equatable {
    /// How long the exchange may take to know an order before a lookup that finds nothing means
    /// it was never placed (Binance's `recvWindow` is 5 s; we allow three times that).
    public static let unknownGrace: Double = 15

    public private(set) var status: OrderStatus

    public init(_ status: OrderStatus = .intent) { self.status = status }

    public enum Outcome: Sendable, Equatable {
        /// The status moved (or stayed, for a repeated report).
        case moved(from: OrderStatus, to: OrderStatus)
        /// Nothing to do yet (a lookup that found nothing within the grace period).
        case unchanged
        /// The event makes no sense in this status; it was ignored.
        case illegal(from: OrderStatus, event: OrderEvent)
    }

    @discardableResult
    public mutating func apply(_ event: OrderEvent) -> Outcome {
        let next: OrderStatus?
        switch event {
        case .reported(let reported): next = reported
        case .noAnswer: next = status == .intent ? .unknown : nil
        case .refused: next = status == .intent || status == .pendingNew ? .rejected : nil
        case .notFound(let seconds):
            guard status == .intent || status == .unknown else { return .illegal(from: status, event: event) }
            guard seconds > Self.unknownGrace else { return .unchanged }
            next = .notPlaced
        }
        guard let next, status.canMove(to: next) else { return .illegal(from: status, event: event) }
        let from = status
        status = next
        return .moved(from: from, to: next)
    }
}
