import Foundation

/// Reads Binance's JSON answers into our types; anything missing or malformed is an
/// ``ExchangeError/invalidResponse(_:)`` naming the field, never a crash.
enum BinanceDecoding {
    static func decimal(_ object: [String: Any], _ key: String) throws -> Decimal {
        guard let text = object[key] as? String, let value = DecimalText.parse(text) else { throw ExchangeError.invalidResponse("\(key) is missing or not a decimal") }
        return value
    }

    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw ExchangeError.invalidResponse("\(key) is missing") }
        return value
    }

    static func integer(_ object: [String: Any], _ key: String) throws -> Int64 {
        guard let value = object[key] as? NSNumber else { throw ExchangeError.invalidResponse("\(key) is missing") }
        return value.int64Value
    }

    static func filters(_ symbol: [String: Any]) throws -> SymbolFilters {
        let name = try string(symbol, "symbol")
        guard let list = symbol["filters"] as? [[String: Any]] else { throw ExchangeError.invalidResponse("\(name) has no filters") }
        func filter(_ type: String) -> [String: Any]? { list.first { $0["filterType"] as? String == type } }
        guard let price = filter("PRICE_FILTER"), let lot = filter("LOT_SIZE") else { throw ExchangeError.invalidResponse("\(name) lacks PRICE_FILTER or LOT_SIZE") }
        let notional = filter("NOTIONAL") ?? filter("MIN_NOTIONAL")
        let maxNotional = try notional.flatMap { $0["maxNotional"] == nil ? nil : try decimal($0, "maxNotional") }
        return SymbolFilters(
            symbol: name, baseAsset: try string(symbol, "baseAsset"), quoteAsset: try string(symbol, "quoteAsset"),
            minPrice: try decimal(price, "minPrice"), maxPrice: try decimal(price, "maxPrice"), tickSize: try decimal(price, "tickSize"),
            minQty: try decimal(lot, "minQty"), maxQty: try decimal(lot, "maxQty"), stepSize: try decimal(lot, "stepSize"),
            minNotional: try notional.map { try decimal($0, "minNotional") } ?? 0, maxNotional: maxNotional,
            applyMinToMarket: (notional?["applyMinToMarket"] ?? notional?["applyToMarket"]) as? Bool ?? true)
    }

    static func account(_ object: Any) throws -> AccountSnapshot {
        guard let account = object as? [String: Any], let list = account["balances"] as? [[String: Any]] else {
            throw ExchangeError.invalidResponse("account without balances")
        }
        let balances = try list.map { (entry: [String: Any]) throws in
            AccountSnapshot.Balance(asset: try string(entry, "asset"), free: try decimal(entry, "free"), locked: try decimal(entry, "locked"))
        }
        let updated = (account["updateTime"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1_000) } ?? Date()
        return AccountSnapshot(canTrade: account["canTrade"] as? Bool ?? false, balances: balances, updateTime: updated)
    }

    static func order(_ object: Any) throws -> OrderReport {
        guard let order = object as? [String: Any] else { throw ExchangeError.invalidResponse("an order is not an object") }
        let fills = try (order["fills"] as? [[String: Any]] ?? []).map { (fill: [String: Any]) throws in
            OrderReport.Fill(
                tradeID: try integer(fill, "tradeId"), price: try decimal(fill, "price"), quantity: try decimal(fill, "qty"),
                commission: try decimal(fill, "commission"), commissionAsset: try string(fill, "commissionAsset"))
        }
        let clientID = try (order["origClientOrderId"] as? String) ?? string(order, "clientOrderId")
        return OrderReport(
            symbol: try string(order, "symbol"), orderID: try integer(order, "orderId"), clientOrderID: clientID,
            side: try string(order, "side"), type: try string(order, "type"), status: try string(order, "status"),
            price: try decimal(order, "price"), origQty: try decimal(order, "origQty"), executedQty: try decimal(order, "executedQty"),
            cumulativeQuoteQty: try decimal(order, "cummulativeQuoteQty"), fills: fills,
            orderListID: try (order["orderListId"] == nil ? -1 : integer(order, "orderListId")),
            stopPrice: try stopPrice(order), time: (order["transactTime"] as? NSNumber ?? order["time"] as? NSNumber)?.int64Value)
    }

    /// Binance writes "0.00000000" for an order without a stop price.
    static func stopPrice(_ order: [String: Any]) throws -> Decimal? {
        guard order["stopPrice"] != nil else { return nil }
        let value = try decimal(order, "stopPrice")
        return value == 0 ? nil : value
    }

    static func kline(_ row: [Any]) throws -> Kline {
        guard row.count >= 9, let openTime = row[0] as? NSNumber, let closeTime = row[6] as? NSNumber, let trades = row[8] as? NSNumber else {
            throw ExchangeError.invalidResponse("a kline row has fewer than 9 fields")
        }
        func value(_ index: Int, _ name: String) throws -> Decimal {
            guard let text = row[index] as? String, let decimal = DecimalText.parse(text) else {
                throw ExchangeError.invalidResponse("kline \(name) is not a decimal")
            }
            return decimal
        }
        return Kline(
            openTime: openTime.int64Value, open: try value(1, "open"), high: try value(2, "high"), low: try value(3, "low"),
            close: try value(4, "close"), volume: try value(5, "volume"), closeTime: closeTime.int64Value, trades: trades.intValue)
    }

    static func trade(_ object: [String: Any]) throws -> TradeReport {
        TradeReport(
            symbol: try string(object, "symbol"), tradeID: try integer(object, "id"), orderID: try integer(object, "orderId"),
            price: try decimal(object, "price"), quantity: try decimal(object, "qty"), quoteQuantity: try decimal(object, "quoteQty"),
            commission: try decimal(object, "commission"), commissionAsset: try string(object, "commissionAsset"),
            time: try integer(object, "time"), isBuyer: object["isBuyer"] as? Bool ?? false, isMaker: object["isMaker"] as? Bool ?? false)
    }
}
