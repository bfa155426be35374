import Common
import Foundation
import Testing

@Suite struct TradingLogicTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    static func fill(_ side: String, price: String, qty: String, commission: String, asset: String, id: Int64) -> BotFill {
        BotFill(
            symbol: "BTCUSDT", tradeID: id, orderID: id, clientOrderID: "c\(id)", side: side, price: d(price), qty: d(qty),
            quoteQty: d(price) * d(qty), commission: d(commission), commissionAsset: asset, time: Date(timeIntervalSince1970: 1_800_000_000 + Double(id))
        )
    }

    /// Worked by hand: buy 0.1 BTC at 40,000 paying 0.0001 BTC commission (0.0999 received for
    /// 4,000 USDT: entry 40,040.04004…); sell 0.0999 at 42,000 = 4,195.8 USDT, commission
    /// 4.1958 USDT; realised = 4,195.8 − 4.1958 − 4,000 = 191.6042.
    @Test func aRoundTripGivesTheHandComputedPnL() {
        var position = BotPosition(symbol: "BTCUSDT")
        #expect(position.apply(Self.fill("BUY", price: "40000", qty: "0.1", commission: "0.0001", asset: "BTC", id: 1)) == 0)
        #expect(position.qty == Self.d("0.0999"))
        #expect(position.cost == 4_000)
        let entry = try! #require(position.avgEntryPrice)
        #expect(abs(NSDecimalNumber(decimal: entry).doubleValue - 40_040.04004004) < 1e-6)
        #expect(position.unrealizedPnL(at: 41_000) == Self.d("95.9"))  // 0.0999 × 41000 − 4000
        let realized = position.apply(Self.fill("SELL", price: "42000", qty: "0.0999", commission: "4.1958", asset: "USDT", id: 2))
        #expect(realized == Self.d("191.6042"))
        #expect(position.realizedPnL == Self.d("191.6042"))
        #expect(!position.isOpen && position.cost == 0)
    }

    /// Two buys then a partial sell: the average includes both buys' fees, the sale realises
    /// against the average. Buy 1 ETH at 2,000 (fee 2 USDT), buy 1 ETH at 2,200 (fee 2.2 USDT):
    /// cost 4,204.2, entry 2,102.1. Sell 0.5 at 2,300, fee 1.15: realised = 1,150 − 1.15 −
    /// 1,051.05 = 97.8; left 1.5 ETH costing 3,153.15.
    @Test func averagesIncludeFeesAndPartialSalesRealiseAgainstTheAverage() {
        var position = BotPosition(symbol: "ETHUSDT")
        position.apply(BotFill(symbol: "ETHUSDT", tradeID: 1, orderID: 1, clientOrderID: "a", side: "BUY", price: 2_000, qty: 1, quoteQty: 2_000, commission: 2, commissionAsset: "USDT", time: Date()))
        position.apply(BotFill(symbol: "ETHUSDT", tradeID: 2, orderID: 2, clientOrderID: "b", side: "BUY", price: 2_200, qty: 1, quoteQty: 2_200, commission: Self.d("2.2"), commissionAsset: "USDT", time: Date()))
        #expect(position.cost == Self.d("4204.2") && position.avgEntryPrice == Self.d("2102.1"))
        let realized = position.apply(BotFill(symbol: "ETHUSDT", tradeID: 3, orderID: 3, clientOrderID: "c", side: "SELL", price: 2_300, qty: Self.d("0.5"), quoteQty: 1_150, commission: Self.d("1.15"), commissionAsset: "USDT", time: Date()))
        #expect(realized == Self.d("97.8"))
        #expect(position.qty == Self.d("1.5") && position.cost == Self.d("3153.15"))
    }

    /// SMA(2) against SMA(3) on closes 10, 9, 8, 9, 11, 12, 10, 8: SMA2 − SMA3 is −0.5 (t2),
    /// −0.17 (t3), +0.67 (t4: cross above), +0.83 (t5), 0 (t6: equal is not below), −1 (t7:
    /// cross below, since SMA2 ≥ SMA3 at t6).
    @Test func smaCrossSignalsOnTheCandleOfTheCross() {
        var strategy = SMACross(fast: 2, slow: 3)
        let closes: [Double] = [10, 9, 8, 9, 11, 12, 10, 8]
        let signals = closes.enumerated().map { index, close in
            strategy.onClose(StrategyCandle(openTime: Int64(index), open: close, high: close, low: close, close: close, volume: 1, closeTime: Int64(index) + 1))
        }
        #expect(signals == [.hold, .hold, .hold, .hold, .buy, .hold, .hold, .sell])
    }

    /// A price that stops moving is no cross: at 50504.61 three equal closes sum to a mean one
    /// unit in the last place above the price, which a plain `<` read as "SMA2 below SMA3" and
    /// sold after a rise (seen in the browser test with the price frozen).
    @Test func aFlatPriceAfterARiseIsNotACross() {
        let flat = 50504.61
        #expect((flat + flat + flat) / 3 != flat, "the rounding this test is about")
        var strategy = SMACross(fast: 2, slow: 3)
        let closes: [Double] = [50490, 50495, 50500, flat, flat, flat, flat, flat]
        let signals = closes.enumerated().map { index, close in
            strategy.onClose(StrategyCandle(openTime: Int64(index), open: close, high: close, low: close, close: close, volume: 1, closeTime: Int64(index) + 1))
        }
        #expect(!signals.contains(.sell), "\(signals)")
    }

    @Test func settingsAreCheckedFieldByField() throws {
        var json = try JSONSerialization.jsonObject(with: BotSettings.defaults.encoded()) as! [String: Any]
        #expect(try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) == BotSettings.defaults)
        json["symbols"] = ["ETHBTC"]
        #expect(throws: SettingsError(field: "symbols", "ETHBTC is not a …USDT pair (upper case, such as BTCUSDT)")) {
            try BotSettings.decode(JSONSerialization.data(withJSONObject: json))
        }
        json["symbols"] = ["BTCUSDT"]
        json["interval"] = "7m"
        #expect { try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) } throws: { "\($0)".hasPrefix("interval") }
        json["interval"] = "1s"
        json["strategy"] = ["name": "sma_cross", "params": ["fast": 5, "slow": 3]]
        #expect { try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) } throws: { "\($0)".contains("fast must be smaller") }
        json["strategy"] = ["name": "sma_cross", "params": ["fast": 2, "slow": 3]]
        var risk = json["risk"] as! [String: Any]
        risk["max_position_usdt"] = "lots"
        json["risk"] = risk
        #expect { try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) } throws: { "\($0)".contains("max_position_usdt") }
        risk["max_position_usdt"] = "250.5"
        risk.removeValue(forKey: "stop_loss_pct")
        json["risk"] = risk
        #expect { try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) } throws: { "\($0)".contains("stop_loss_pct is required") }
        risk["stop_loss_pct"] = 1.5
        json["risk"] = risk
        json["timezone"] = "Mars/Olympus"
        #expect { try BotSettings.decode(JSONSerialization.data(withJSONObject: json)) } throws: { "\($0)".hasPrefix("timezone") }
        json["timezone"] = "Asia/Seoul"
        let settings = try BotSettings.decode(JSONSerialization.data(withJSONObject: json))
        #expect(settings.risk.maxPositionUsdt == Self.d("250.5") && settings.interval == "1s")
    }

    @Test func tradingReportsSurviveTheLineProtocol() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let order = OrderRecord(
            clientOrderID: "u1-BTCUSDT-1800000000-BE", orderID: 7, symbol: "BTCUSDT", side: "BUY", type: "MARKET", status: .filled,
            price: Self.d("40000.5"), origQty: Self.d("0.01"), executedQty: Self.d("0.01"), createdAt: now, updatedAt: now, reason: "strategy", orderListID: 12, stopPrice: Self.d("39000")
        )
        #expect(try WorkerReport.parse(WorkerReport.order(order).line()) == .order(order))
        let fill = Self.fill("SELL", price: "42000", qty: "0.0999", commission: "4.1958", asset: "USDT", id: 2)
        let parsedFill = try WorkerReport.parse(WorkerReport.fill(fill).line())
        guard case .fill(let back) = parsedFill else { Issue.record("not a fill"); return }
        #expect(back.tradeID == 2 && back.price == 42_000 && back.commission == Self.d("4.1958"))
        let position = PositionRecord(symbol: "BTCUSDT", qty: 0, avgEntryPrice: nil, currentPrice: 42_000, unrealizedPnLUSDT: 0, realizedPnLUSDT: Self.d("-3.5"), stopLoss: nil, takeProfit: nil)
        #expect(try WorkerReport.parse(WorkerReport.positions([position], todayPnL: Self.d("-3.5")).line()) == .positions([position], todayPnL: Self.d("-3.5")))
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(#"{"type":"order","order":{"client_order_id":"x","symbol":"BTCUSDT","side":"HOLD"}}"#) }
    }
}

@Suite struct PnLReportTests {
    @Test func periodsInTheUsersTimeZoneWithFeesAndWins() {
        // Buy 0.1 BTC at 40,000 (fee 0.0001 BTC = 4 USDT) on 1 Nov 23:30 UTC; sell at 42,000
        // (fee 4.1958 USDT) on 2 Nov 00:30 UTC: realised 191.6042. In Seoul (UTC+9) both are on
        // 2 November; in UTC the sale is on the 2nd and the buy on the 1st.
        let buyTime = Timestamp.date("2026-11-01T23:30:00Z")!
        let sellTime = Timestamp.date("2026-11-02T00:30:00Z")!
        let fills = [
            BotFill(symbol: "BTCUSDT", tradeID: 2, orderID: 2, clientOrderID: "s", side: "SELL", price: 42_000, qty: TradingLogicTests.d("0.0999"), quoteQty: TradingLogicTests.d("4195.8"), commission: TradingLogicTests.d("4.1958"), commissionAsset: "USDT", time: sellTime),
            BotFill(symbol: "BTCUSDT", tradeID: 1, orderID: 1, clientOrderID: "b", side: "BUY", price: 40_000, qty: TradingLogicTests.d("0.1"), quoteQty: 4_000, commission: TradingLogicTests.d("0.0001"), commissionAsset: "BTC", time: buyTime),
        ]
        let utc = PnLReport.rows(fills, period: .day, timeZone: .gmt)
        #expect(utc.count == 2)
        #expect(utc[0].fees == 4 && utc[0].trades == 0)
        #expect(utc[1].realizedPnL == TradingLogicTests.d("191.6042") && utc[1].fees == TradingLogicTests.d("4.1958") && utc[1].wins == 1 && utc[1].winRate == 1)
        let seoul = PnLReport.rows(fills, period: .day, timeZone: TimeZone(identifier: "Asia/Seoul")!)
        #expect(seoul.count == 1 && seoul[0].fees == TradingLogicTests.d("8.1958"))
        #expect(Timestamp.string(seoul[0].start) == "2026-11-01T15:00:00.000Z", "midnight in Seoul")
        let month = PnLReport.rows(fills, period: .month, timeZone: .gmt)
        #expect(month.count == 1 && month[0].realizedPnL == TradingLogicTests.d("191.6042"))
        #expect(PnLReport.csv(month, period: .month).contains("month,2026-11-01T00:00:00.000Z,191.60420000,8.19580000,1,1,1.0000"))
    }
}
