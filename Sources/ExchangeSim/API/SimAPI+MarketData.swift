import Common
import Foundation
import Hummingbird

extension SimAPI {
    func registerMarketData(on router: Router<SimContext>) {
        router.get("/api/v3/klines") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in try klines(binance) }
        }
        router.get("/api/v3/uiKlines") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in try klines(binance) }
        }
        router.get("/api/v3/ticker/24hr") { request, context in
            await handle(request, context, weight: { $0.parameters["symbol"] == nil ? 80 : 2 }) { binance, _ in try ticker24h(binance) }
        }
        router.get("/api/v3/depth") { request, context in
            await handle(request, context, weight: { request in
                let limit = Int(request.parameters["limit"] ?? "100") ?? 100
                return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250
            }) { binance, _ in try depth(binance) }
        }
        router.get("/api/v3/avgPrice") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in
                let symbol = try binance.string("symbol")
                guard let candles = exchange.klines(symbol, interval: .m1, start: nil, end: nil, limit: 5), !candles.isEmpty else { throw SimError.badSymbol }
                let average = candles.map(\.close).reduce(0, +) / Double(candles.count)
                return ["mins": 5, "price": price(average, symbol), "closeTime": exchange.nowMs]
            }
        }
    }

    func price(_ value: Double, _ symbol: String, allowNegative: Bool = false) -> String {
        Self.priceText(value, symbol, allowNegative: allowNegative)
    }

    /// A market-data price as Binance prints it: rounded to the tick, 8 decimals.
    static func priceText(_ value: Double, _ symbol: String, allowNegative: Bool = false) -> String {
        let tick = MarketCatalog.bySymbol[symbol]?.filters.tickSize ?? Decimal(string: "0.00000001")!
        let rounded = SymbolFilters.round(Decimal(value), step: tick, .plain)
        return DecimalText.format(allowNegative ? rounded : max(rounded, tick))
    }

    func klines(_ binance: BinanceRequest) throws(SimError) -> [[Any]] {
        let symbol = try binance.string("symbol")
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        guard let interval = KlineInterval(rawValue: try binance.string("interval")) else {
            throw SimError(status: 400, code: -1120, message: "Invalid interval.")
        }
        let limit = try binance.integer("limit") ?? 500
        guard (1...1_000).contains(limit) else { throw SimError(status: 400, code: -1130, message: "Invalid data sent for a parameter.") }
        let candles = exchange.klines(symbol, interval: interval, start: try binance.integer("startTime"), end: try binance.integer("endTime"), limit: Int(limit)) ?? []
        return candles.map { candle in
            let volume = DecimalText.format(Decimal(candle.volume))
            let quote = DecimalText.format(Decimal(candle.volume * (candle.open + candle.close) / 2))
            return [
                candle.openTime, price(candle.open, symbol), price(candle.high, symbol), price(candle.low, symbol), price(candle.close, symbol), volume,
                candle.openTime + interval.milliseconds - 1, quote, candle.trades, DecimalText.format(Decimal(candle.volume / 2)),
                DecimalText.format(Decimal(candle.volume * (candle.open + candle.close) / 4)), "0",
            ] as [Any]
        }
    }

    func ticker24h(_ binance: BinanceRequest) throws(SimError) -> Any {
        func stats(_ symbol: String) -> [String: Any] {
            let now = exchange.nowMs
            let candles = exchange.klines(symbol, interval: .m5, start: now - 86_400_000, end: nil, limit: 1_000) ?? []
            guard let first = candles.first, let last = candles.last else { return ["symbol": symbol] }
            let high = candles.map(\.high).max()!, low = candles.map(\.low).min()!
            let volume = candles.map(\.volume).reduce(0, +)
            let quote = candles.map { $0.volume * ($0.open + $0.close) / 2 }.reduce(0, +)
            return [
                "symbol": symbol, "priceChange": price(last.close - first.open, symbol, allowNegative: true),
                "priceChangePercent": String(format: "%.3f", (last.close / first.open - 1) * 100), "weightedAvgPrice": price(volume > 0 ? quote / volume : last.close, symbol),
                "prevClosePrice": price(first.open, symbol), "lastPrice": price(last.close, symbol), "lastQty": DecimalText.format(0),
                "bidPrice": price(last.close, symbol), "askPrice": price(last.close, symbol), "openPrice": price(first.open, symbol),
                "highPrice": price(high, symbol), "lowPrice": price(low, symbol), "volume": DecimalText.format(Decimal(volume)),
                "quoteVolume": DecimalText.format(Decimal(quote)), "openTime": first.openTime, "closeTime": now, "firstId": 0, "lastId": 0,
                "count": candles.map(\.trades).reduce(0, +),
            ]
        }
        if let symbol = binance.parameters["symbol"] {
            guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
            return stats(symbol)
        }
        let wanted = try binance.parameters["symbols"].map(Self.symbolList) ?? MarketCatalog.markets.map(\.filters.symbol)
        if wanted.contains(where: { MarketCatalog.bySymbol[$0] == nil }) { throw .badSymbol }
        return wanted.map(stats)
    }

    func depth(_ binance: BinanceRequest) throws(SimError) -> [String: Any] {
        let symbol = try binance.string("symbol")
        guard let market = MarketCatalog.bySymbol[symbol], let current = exchange.price(symbol) else { throw .badSymbol }
        let limit = Int(try binance.integer("limit") ?? 100)
        guard (1...5_000).contains(limit) else { throw SimError(status: 400, code: -1130, message: "Invalid data sent for a parameter.") }
        func side(_ side: OrderSide) -> [[String]] {
            (0..<limit).map { index in
                let level = SimExchange.level(index, side: side, price: current, market: market)
                return [DecimalText.format(level.price), DecimalText.format(level.quantity)]
            }
        }
        return ["lastUpdateId": exchange.nowMs, "bids": side(.sell), "asks": side(.buy)]
    }
}
