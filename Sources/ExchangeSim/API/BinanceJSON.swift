import Common
import Foundation

/// Response bodies in Binance's shapes: amounts as strings with 8 decimals, times in ms.
enum BinanceJSON {
    static func d(_ value: Decimal) -> String { DecimalText.format(value) }

    static func order(_ order: SimOrder) -> [String: Any] {
        var body: [String: Any] = [
            "symbol": order.symbol, "orderId": order.orderID, "orderListId": order.listID, "clientOrderId": order.clientOrderID,
            "price": d(order.price), "origQty": d(order.origQty), "executedQty": d(order.executedQty),
            "cummulativeQuoteQty": d(order.cumulativeQuoteQty), "status": order.status, "timeInForce": order.timeInForce ?? "GTC",
            "type": order.type, "side": order.side.rawValue, "stopPrice": d(order.stopPrice ?? 0), "icebergQty": d(0), "time": order.time,
            "updateTime": order.updateTime, "isWorking": !order.executesAsMarket && !order.isWaiting, "workingTime": workingTime(order),
            "origQuoteOrderQty": d(order.origQuoteOrderQty), "selfTradePreventionMode": "NONE",
        ]
        addTrailing(order, to: &body)
        return body
    }

    /// −1 while a stop waits for its trigger (Binance).
    static func workingTime(_ order: SimOrder) -> Int64 { order.isWaiting ? -1 : order.workingTime ?? order.time }

    /// `trailingDelta` and `trailingTime` appear only on orders sent with a trailingDelta.
    static func addTrailing(_ order: SimOrder, to body: inout [String: Any]) {
        guard let delta = order.trailingDelta else { return }
        body["trailingDelta"] = delta
        body["trailingTime"] = order.trailingTime ?? -1
    }

    /// `POST /api/v3/order` answer by `newOrderRespType` (MARKET and LIMIT default to FULL).
    static func placed(_ order: SimOrder, fills: [SimFill], responseType: String) -> [String: Any] {
        var body: [String: Any] = [
            "symbol": order.symbol, "orderId": order.orderID, "orderListId": order.listID, "clientOrderId": order.clientOrderID,
            "transactTime": order.updateTime,
        ]
        guard responseType != "ACK" else { return body }
        body.merge([
            "price": d(order.price), "origQty": d(order.origQty), "executedQty": d(order.executedQty),
            "origQuoteOrderQty": d(order.origQuoteOrderQty), "cummulativeQuoteQty": d(order.cumulativeQuoteQty), "status": order.status,
            "timeInForce": order.timeInForce ?? "GTC", "type": order.type, "side": order.side.rawValue, "workingTime": workingTime(order),
            "selfTradePreventionMode": "NONE",
        ]) { $1 }
        if let stop = order.stopPrice { body["stopPrice"] = d(stop) }
        addTrailing(order, to: &body)
        guard responseType == "FULL" else { return body }
        body["fills"] = fills.map { fill in
            ["price": d(fill.price), "qty": d(fill.qty), "commission": d(fill.commission), "commissionAsset": fill.commissionAsset, "tradeId": fill.tradeID]
                as [String: Any]
        }
        return body
    }

    static func cancelled(_ order: SimOrder) -> [String: Any] {
        var body = Self.order(order)
        body["origClientOrderId"] = order.clientOrderID
        body["clientOrderId"] = "cancel-" + SimExchange.randomToken(16)
        body["transactTime"] = order.updateTime
        for key in ["time", "updateTime", "isWorking", "workingTime", "icebergQty"] { body[key] = nil }
        if order.stopPrice == nil { body["stopPrice"] = nil }
        return body
    }

    static func trade(_ fill: SimFill, listID: Int64 = -1) -> [String: Any] {
        [
            "symbol": fill.symbol, "id": fill.tradeID, "orderId": fill.orderID, "orderListId": listID, "price": d(fill.price), "qty": d(fill.qty),
            "quoteQty": d(fill.quoteQty), "commission": d(fill.commission), "commissionAsset": fill.commissionAsset, "time": fill.time,
            "isBuyer": fill.isBuyer, "isMaker": fill.isMaker, "isBestMatch": true,
        ]
    }

    static func account(_ account: SimAccount, omitZero: Bool, now: Int64) -> [String: Any] {
        let balances = account.balances.sorted { $0.key < $1.key }
            .filter { !omitZero || $0.value.free != 0 || $0.value.locked != 0 }
            .map { ["asset": $0.key, "free": d($0.value.free), "locked": d($0.value.locked)] }
        let maker = SimExchange.makerCommissionRate
        let taker = SimExchange.takerCommissionRate
        return [
            "makerCommission": NSDecimalNumber(decimal: maker * 10_000).intValue, "takerCommission": NSDecimalNumber(decimal: taker * 10_000).intValue,
            "buyerCommission": 0, "sellerCommission": 0,
            "commissionRates": ["maker": d(maker), "taker": d(taker), "buyer": d(0), "seller": d(0)],
            "canTrade": account.canTrade ?? true, "canWithdraw": false, "canDeposit": false, "brokered": false, "requireSelfTradePrevention": false,
            "preventSor": false, "updateTime": now, "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": 1,
        ]
    }

    static func symbol(_ market: MarketCatalog.Market) -> [String: Any] {
        let f = market.filters
        return [
            "symbol": f.symbol, "status": "TRADING", "baseAsset": f.baseAsset, "baseAssetPrecision": 8, "quoteAsset": f.quoteAsset,
            "quotePrecision": 8, "quoteAssetPrecision": 8, "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
            "orderTypes": SimOrder.allTypes, "icebergAllowed": false, "ocoAllowed": true, "otoAllowed": false, "opoAllowed": false,
            "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true, "cancelReplaceAllowed": true, "amendAllowed": false,
            "isSpotTradingAllowed": true,
            "isMarginTradingAllowed": false,
            "filters": [
                ["filterType": "PRICE_FILTER", "minPrice": d(f.minPrice), "maxPrice": d(f.maxPrice), "tickSize": d(f.tickSize)],
                ["filterType": "LOT_SIZE", "minQty": d(f.minQty), "maxQty": d(f.maxQty), "stepSize": d(f.stepSize)],
                [
                    "filterType": "NOTIONAL", "minNotional": d(f.minNotional), "applyMinToMarket": f.applyMinToMarket,
                    "maxNotional": d(9_000_000), "applyMaxToMarket": false, "avgPriceMins": 5,
                ],
                [
                    "filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2_000, "minTrailingBelowDelta": 10,
                    "maxTrailingBelowDelta": 2_000,
                ],
            ] as [[String: Any]],
            "permissions": [String](), "permissionSets": [["SPOT"]], "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
        ]
    }

    /// `GET /sapi/v1/account/apiRestrictions`, as Binance answers it.
    static func apiRestrictions(_ account: SimAccount, now: Int64) -> [String: Any] {
        [
            "ipRestrict": account.ipRestrict ?? false, "createTime": now, "enableReading": true,
            "enableWithdrawals": account.enableWithdrawals ?? false, "enableInternalTransfer": false, "enableMargin": false,
            "enableFutures": false, "permitsUniversalTransfer": false, "enableVanillaOptions": false, "enableFixApiTrade": false,
            "enableFixReadOnly": false, "enableSpotAndMarginTrading": account.canTrade ?? true, "enablePortfolioMarginTrading": false,
        ]
    }
}
