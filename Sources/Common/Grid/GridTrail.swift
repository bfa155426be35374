import Foundation

/// Trailing a grid's range up (``GridParameters/trailing``). A grid whose price rose above its
/// top level has sold every cell: it holds no coins, only buys rest. Rather than wait below the
/// price, it moves its range up by whole cells (the same step when arithmetic, the same ratio
/// when geometric) until the price is under its top level, and opens again there: its buys are
/// cancelled and placed anew, and what the new range's sells above the price need is bought.
/// Below the range a grid waits with its coins (or its stop-loss ends it): the range trails up
/// only, as the hosted platforms' "trailing up" does.
public enum GridTrail {
    /// The range moved up so that `price` is below its top level; nil when trailing is off or the
    /// price is below the top level. The stop-loss and take-profit prices stay where they are.
    public static func movedUp(_ parameters: GridParameters, price: Decimal, tickSize: Decimal) -> GridParameters? {
        guard parameters.trailing, price >= parameters.upperPrice, parameters.levels >= 2, parameters.lowerPrice > 0 else { return nil }
        var moved = parameters
        let cells = Double(parameters.levels - 1)
        switch parameters.spacing {
        case .arithmetic:
            let step = (parameters.upperPrice - parameters.lowerPrice) / Decimal(parameters.levels - 1)
            guard step > 0 else { return nil }
            let cellsUp = Decimal(Int(((price - parameters.upperPrice) / step).double.rounded(.down)) + 1)
            moved.lowerPrice = SymbolFilters.floor(parameters.lowerPrice + step * cellsUp, step: tickSize)
            moved.upperPrice = SymbolFilters.floor(parameters.upperPrice + step * cellsUp, step: tickSize)
        case .geometric:
            let ratio = pow((parameters.upperPrice / parameters.lowerPrice).double, 1 / cells)
            guard ratio > 1 else { return nil }
            let cellsUp = (log((price / parameters.upperPrice).double) / log(ratio)).rounded(.down) + 1
            let factor = pow(ratio, cellsUp)
            moved.lowerPrice = SymbolFilters.floor(Decimal(string: String(parameters.lowerPrice.double * factor)) ?? parameters.lowerPrice, step: tickSize)
            moved.upperPrice = SymbolFilters.floor(Decimal(string: String(parameters.upperPrice.double * factor)) ?? parameters.upperPrice, step: tickSize)
        }
        // On a coarse tick the rounding may leave the price on the top level: one more cell.
        if price >= moved.upperPrice, moved.upperPrice > parameters.upperPrice { return movedUp(moved, price: price, tickSize: tickSize) }
        return moved.upperPrice > parameters.upperPrice ? moved : nil
    }
}
