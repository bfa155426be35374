/// What one of our orders is for, read from the last part of its client id
/// (``ClientOrderID``): `BE` (and its re-priced successors `B1`…`B9`) a bot's entry, `M` a
/// person's order, `XT`/`XS` the take-profit and stop-loss legs of a position's exits (`MT`/`MS`
/// for a manual order's), `S…` a sale at market.
public struct OrderPurpose: Sendable, Equatable {
    public let code: String
    let clientOrderID: String

    public init(_ clientOrderID: String) {
        self.clientOrderID = clientOrderID
        code = clientOrderID.split(separator: "-").last.map(String.init) ?? ""
    }

    public var isEntry: Bool { code == "BE" || isReprice || isManual }
    /// An order of another of the user's bots: a grid's (`G…`, ``GridOrderID``) or a DCA deal's
    /// (`D…`), with this user's prefix. The signals bot neither adopts nor cancels them.
    public func isOtherBots(user: Int64) -> Bool {
        clientOrderID.hasPrefix("u\(user)-") && isHostedBotOrder
    }
    /// A grid's, a DCA deal's or a signal bot's order (`H…`, from its hook): cancelled by
    /// stopping its bot (or a signal's cancel_all), never one by one.
    public var isHostedBotOrder: Bool { code.hasPrefix("G") || code.hasPrefix("D") || code.hasPrefix("H") }
    public var isManual: Bool { code == "M" }
    var isReprice: Bool { code.count == 2 && code.hasPrefix("B") && code.last!.isNumber }
    public var isTakeProfitLeg: Bool { code == "XT" || code == "MT" }
    public var isStopLossLeg: Bool { code == "XS" || code == "MS" }
    /// A leg of an exchange-held exit pair.
    public var isExitLeg: Bool { isTakeProfitLeg || isStopLossLeg }

    /// The client id of the next re-pricing of this entry, or nil after the ninth.
    public var nextReprice: String? {
        let stem = clientOrderID.dropLast(code.count)
        if code == "BE" { return stem + "B1" }
        guard isReprice, let n = Int(String(code.last!)), n < 9 else { return nil }
        return stem + "B\(n + 1)"
    }
}
