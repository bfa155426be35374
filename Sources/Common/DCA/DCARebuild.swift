import Foundation

/// A DCA deal brought back after a restart from what the exchange says: its base order's fill,
/// the fills of its safety orders (in their order), and which of its orders rest.
public struct DCARebuild: Sendable, Equatable {
    /// The deal with every known fill applied.
    public let deal: DCADeal
    /// What the deal wants resting that does not rest: safety orders not yet filled, and the
    /// take-profit at the current average (one that was to be re-placed while the worker was down).
    public let place: [DCAAction]
    /// Resting take-profits of earlier averages (the deal has moved past them).
    public let cancel: [DCAAction]

    /// `safetyFills`: the fills of safety orders 1, 2, … as far as they go without a gap;
    /// `restingSafety`: the indices of its safety orders open on the exchange; `restingTakeProfits`:
    /// the sequences of its take-profits open there; `takeProfitFill`: a take-profit that filled
    /// (its sequence and fill): the deal closed there, after the safety fills before it (a safety
    /// order that filled later still is not part of the deal: its coins stay in the account).
    public static func rebuild(
        plan: DCAPlan, filters: SymbolFilters, base: DCAFill, safetyFills: [DCAFill], restingSafety: Set<Int>, restingTakeProfits: Set<Int>,
        takeProfitFill: (sequence: Int, fill: DCAFill)? = nil
    ) -> DCARebuild {
        var deal = DCADeal(plan: plan, filters: filters)
        _ = deal.baseFilled(base)
        for (offset, fill) in safetyFills.prefix(takeProfitFill?.sequence ?? safetyFills.count).enumerated() {
            _ = deal.safetyFilled(index: offset + 1, fill)
        }
        if let (_, fill) = takeProfitFill {
            let actions = deal.exitFilled(price: fill.price, quantity: fill.quantity, feeQuote: fill.feeQuote, reason: "take-profit")
            // Only what still rests needs cancelling.
            let cancel = actions.filter { if case .cancelSafety(let index) = $0 { restingSafety.contains(index) } else { false } }
            return DCARebuild(deal: deal, place: [], cancel: cancel + restingTakeProfits.sorted().map { .cancelTakeProfit(sequence: $0) })
        }
        var place: [DCAAction] = deal.safetyOrders.dropFirst(deal.safetyFilled).filter { !restingSafety.contains($0.index) }.map { .placeSafety($0) }
        let current = deal.takeProfitSequence
        if plan.parameters.trailingPct == nil, !restingTakeProfits.contains(current), let price = deal.takeProfitPrice {
            place.append(.placeTakeProfit(sequence: current, price: price, quantity: filters.roundQuantity(deal.heldQuantity)))
        }
        let cancel: [DCAAction] = restingTakeProfits.filter { $0 != current }.sorted().map { .cancelTakeProfit(sequence: $0) }
        return DCARebuild(deal: deal, place: place, cancel: cancel)
    }
}
