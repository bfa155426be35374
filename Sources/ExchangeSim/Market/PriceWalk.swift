import Common
import Foundation

/// A seeded random walk per symbol, one step per second: the same seed gives the same prices.
/// Prices are rounded to the symbol's tick and never reach zero.
struct PriceWalk: Sendable {
    private var random: SplitMix
    let volatility: Double
    let tick: Decimal
    private(set) var price: Decimal
    /// A price set by `/sim/v1/prices` with `hold`: the walk stands still.
    var held = false
    /// Closes replayed from a kline file instead of the random walk.
    var replay: [Decimal] = []
    private var replayIndex = 0

    init(seed: UInt64, symbol: String, start: Decimal, volatility: Double, tick: Decimal) {
        random = SplitMix(seed: seed ^ symbol.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
        self.volatility = volatility
        self.tick = tick
        price = start
    }

    /// One second passes.
    mutating func step() {
        guard !held else { return }
        if !replay.isEmpty {
            price = max(SymbolFilters.round(replay[replayIndex % replay.count], step: tick, .plain), tick)
            replayIndex += 1
            return
        }
        let z = random.gaussian()
        let factor = exp(volatility * z)
        let next = Decimal(NSDecimalNumber(decimal: price).doubleValue * factor)
        price = max(SymbolFilters.round(next, step: tick, .plain), tick)
    }

    mutating func set(_ newPrice: Decimal, hold: Bool) {
        price = newPrice
        held = hold
    }
}
