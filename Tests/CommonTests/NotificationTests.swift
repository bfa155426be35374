import Foundation
import Testing

@testable import Common

/// What a report tells, how a channel's settings are checked, how fast a channel is sent to and
/// when a burst becomes one message, and Telegram's commands: all pure.
@Suite struct NotificationTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func fill(_ clientID: String, side: String = "BUY", trade: Int64 = 7, bot: Int64? = nil) -> BotFill {
        BotFill(
            symbol: "BTCUSDT", tradeID: trade, orderID: 1, clientOrderID: clientID, side: side, price: 43000.5, qty: 0.001, quoteQty: 43.0005, commission: 0,
            commissionAsset: "USDT", time: now, botID: bot)
    }

    static func status(_ state: String, mode: String = "live") -> BotRunStatus {
        var status = try! JSONDecoder().decode(BotRunStatus.self, from: Data(#"{"botID":3,"state":"running","mode":"live","symbol":"ETHUSDT","cycles":0,"realisedPnL":0,"todayPnL":0,"held":0,"allocationUsed":0,"openOrders":[],"fills":[],"deals":[],"balances":{},"updatedAt":5}"#.utf8))
        status.state = state
        status.mode = mode
        status.reason = state == "error" ? "insufficient balance" : nil
        return status
    }

    @Test func fillsExitsAndOrdersEachTellOnceByTheirKey() {
        let fill = NoticeTrigger.notices(.fill(Self.fill("u1-BTCUSDT-abc-BE", bot: 2)), now: Self.now)
        #expect(fill == [Notice(event: .fills, key: "fill:BTCUSDT:7", fact: .fill(symbol: "BTCUSDT", side: "BUY", qty: 0.001, price: 43000.5, quote: 43.0005, bot: 2), time: Self.now)])
        #expect(fill[0].text(language: "en") == "Filled: BUY 0.001 BTCUSDT at 43000.5 = 43.00 USDT (bot 2)")
        #expect(fill[0].text(language: "ko") == "체결: BTCUSDT 매수 0.001 @ 43000.5 = 43.00 USDT (봇 2)")
        #expect(fill[0].data == ["symbol": "BTCUSDT", "side": "BUY", "qty": "0.001", "price": "43000.5", "quote_qty": "43.0005", "bot_id": "2"])
        let stop = NoticeTrigger.notices(.fill(Self.fill("u1-BTCUSDT-abc-XS", side: "SELL")), now: Self.now)
        #expect(stop.map(\.event) == [.exits] && stop[0].key == "fill:BTCUSDT:7")
        #expect(stop[0].text(language: nil) == "Stop-loss exit: sold 0.001 BTCUSDT at 43000.5")
        #expect(NoticeTrigger.notices(.fill(Self.fill("u1-BTCUSDT-abc-MT", side: "SELL")), now: Self.now)[0].text(language: "en").hasPrefix("Take-profit exit"))

        func order(_ status: OrderStatus) -> WorkerReport {
            .order(OrderRecord(
                clientOrderID: "u1-BTCUSDT-x-M", orderID: 9, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: status, price: 30000, origQty: 0.001,
                executedQty: 0, createdAt: Self.now, updatedAt: Self.now, reason: nil))
        }
        #expect(NoticeTrigger.notices(order(.new), now: Self.now).map(\.key) == ["order:u1-BTCUSDT-x-M:placed"])
        #expect(NoticeTrigger.notices(order(.canceled), now: Self.now).map(\.key) == ["order:u1-BTCUSDT-x-M:cancelled"])
        #expect(NoticeTrigger.notices(order(.canceled), now: Self.now)[0].text(language: "en") == "Order cancelled: BUY LIMIT 0.001 BTCUSDT @ 30000")
        for quiet in [OrderStatus.intent, .partiallyFilled, .filled, .unknown] { #expect(NoticeTrigger.notices(order(quiet), now: Self.now).isEmpty) }
    }

    @Test func aBotsStateIsToldWhenItChangesButNotWhenFirstSeenRunning() {
        #expect(NoticeTrigger.notices(.botStatus(Self.status("running")), previousBotState: nil, now: Self.now).isEmpty)
        #expect(NoticeTrigger.notices(.botStatus(Self.status("running")), previousBotState: "running", now: Self.now).isEmpty)
        let stopped = NoticeTrigger.notices(.botStatus(Self.status("stopped", mode: "paper")), previousBotState: "running", now: Self.now)
        #expect(stopped.map(\.event) == [.botState])
        #expect(stopped[0].text(language: "en") == "Bot 3 (ETHUSDT, paper): stopped")
        let error = NoticeTrigger.notices(.botStatus(Self.status("error")), previousBotState: "running", now: Self.now)
        #expect(error[0].text(language: "en") == "Bot 3 (ETHUSDT): error: insufficient balance")
        #expect(error[0].text(language: "ko") == "봇 3 (ETHUSDT): 오류: insufficient balance")
        #expect(NoticeTrigger.notices(.botStatus(Self.status("error")), previousBotState: nil, now: Self.now).count == 1, "an error is news even first")

        #expect(NoticeTrigger.traderState(from: nil, to: "running", bot: nil, now: Self.now).isEmpty)
        #expect(NoticeTrigger.traderState(from: "running", to: "stopped", bot: nil, now: Self.now)[0].text(language: "en") == "The trading bot: stopped")
        let emergency = NoticeTrigger.traderState(from: "running", to: "emergency_stopped", bot: nil, now: Self.now)
        #expect(emergency.map(\.event) == [.emergencyStop] && emergency[0].text(language: "en").hasPrefix("Emergency stop: "))
        #expect(NoticeTrigger.crashLoop(exits: 5, now: Self.now).text(language: "en").hasPrefix("The worker: crash loop: it exited 5 times"))
    }

    @Test func aRefusedKeyOutagesAndTheDailySummaryDay() {
        #expect(NoticeTrigger.refusedKeyCode("the exchange refused the request: Invalid API-key, IP, or permissions for action. (-2015)") == -2015)
        #expect(NoticeTrigger.refusedKeyCode("the exchange refused the request: Signature for this request is not valid. (-1022)") == -1022)
        #expect(NoticeTrigger.refusedKeyCode("the exchange refused the request: Too much request weight used (-1003)") == nil)
        #expect(NoticeTrigger.refusedKeyCode("connection refused (2015)") == nil)
        let refused = NoticeTrigger.notices(.exchange(reachable: false, since: Self.now, reason: "the exchange refused the request: bad key (-2015)"), now: Self.now)
        #expect(refused.map(\.event) == [.keyRefused])
        #expect(NoticeTrigger.notices(.exchange(reachable: false, since: Self.now, reason: "timed out"), now: Self.now).isEmpty)

        #expect(NoticeTrigger.unreachable(since: Self.now, reason: "timed out", minutes: 5, now: Self.now.addingTimeInterval(299)) == nil)
        let outage = NoticeTrigger.unreachable(since: Self.now, reason: "timed out", minutes: 5, now: Self.now.addingTimeInterval(300))
        #expect(outage?.key == "unreachable:1800000000000:5" && outage?.text(language: "en") == "The exchange has been unreachable for over 5 min: timed out")

        // 2027-01-15 08:00 UTC is 17:00 in Seoul: the summary due is the 14th there, and the 14th in UTC.
        let morning = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400) + 8 * 3600)
        let seoul = try! #require(TimeZone(identifier: "Asia/Seoul"))
        let day = NoticeTrigger.summaryDay(now: morning, zone: seoul, channelCreated: morning.addingTimeInterval(-3 * 86_400))
        #expect(day?.end.timeIntervalSince(day!.start) == 86_400)
        #expect(day.map { $0.end <= morning && morning.timeIntervalSince($0.end) < 86_400 } == true)
        #expect(NoticeTrigger.summaryDay(now: morning, zone: seoul, channelCreated: morning) == nil, "a channel made today gets its first summary tomorrow")
        let summary = Notice(event: .dailySummary, key: "daily:2027-01-14", fact: .dailySummary(day: "2027-01-14", pnl: nil, fills: 0, equity: nil), time: Self.now)
        #expect(summary.text(language: "en") == "Daily summary for 2027-01-14: realised PnL no fills, 0 fills, equity unknown (no valuation from the exchange yet)")
    }

    @Test func aChannelsSettingsAreCheckedWithTheReason() {
        func problem(_ request: ChannelRequest) -> String? {
            if case .failure(let problem) = request.check() { return problem.message }
            return nil
        }
        #expect(problem(ChannelRequest(kind: "pigeon"))?.contains("telegram, webhook or email") == true)
        #expect(problem(ChannelRequest(kind: "telegram"))?.contains("bot's token") == true)
        #expect(problem(ChannelRequest(kind: "telegram", secret: "123:short"))?.contains("bot's token") == true)
        #expect(problem(ChannelRequest(kind: "telegram", secret: "7000001:AAHfakeTelegramTokenForTests_0123456789")) == nil)
        #expect(problem(ChannelRequest(kind: "webhook", target: "ftp://example.com", secret: "0123456789abcdef"))?.contains("https://") == true)
        #expect(problem(ChannelRequest(kind: "webhook", target: "https://example.com/h"))?.contains("needs a secret") == true)
        #expect(problem(ChannelRequest(kind: "webhook", target: "https://example.com/h", secret: "short"))?.contains("16 characters") == true)
        #expect(problem(ChannelRequest(kind: "webhook", target: "https://discord.com/api/webhooks/1/x", preset: "discord")) == nil)
        #expect(problem(ChannelRequest(kind: "webhook", target: "https://example.com/h", preset: "teams"))?.contains("json, discord or slack") == true)
        #expect(problem(ChannelRequest(kind: "email", target: "not an address"))?.contains("name@example.com") == true)
        #expect(problem(ChannelRequest(kind: "email", target: "a@example.com", events: ["fills", "weather"]))?.contains("unknown event weather") == true)
        #expect(problem(ChannelRequest(kind: "email", target: "a@example.com", unreachableMinutes: 0))?.contains("1 to 1440") == true)
        #expect(problem(ChannelRequest(kind: "email", target: "a@example.com", secret: "has space"))?.contains("printable") == true)
        guard case .success(let checked) = ChannelRequest(kind: "email", target: " a@example.com ", events: ["fills,orders"]).check() else {
            Issue.record("a valid e-mail channel was refused")
            return
        }
        #expect(checked.target == "a@example.com" && checked.events == [.fills, .orders] && checked.name == "email" && checked.unreachableMinutes == 5)
        let existing = NotificationChannel(userID: UserID(rawValue: 1), kind: .telegram, name: "phone", target: "111", secretToken: "sealed", createdAt: Self.now)
        guard case .success(let kept) = ChannelRequest(kind: "telegram", name: "new name").check(existing: existing) else {
            Issue.record("a change without a new token was refused")
            return
        }
        #expect(kept.secret == nil && kept.target == "111" && kept.events == NotificationEvent.defaults)
        #expect(problem(ChannelRequest(kind: "webhook")) != nil)
        if case .failure(let problem) = ChannelRequest(kind: "email", target: "a@example.com").check(existing: existing) {
            #expect(problem.message.contains("cannot change"))
        } else {
            Issue.record("a channel's kind changed")
        }
    }

    @Test func aChannelIsPacedAndABurstToTelegramOrEmailBecomesOneMessage() {
        func item(_ id: Int64) -> OutboxItem {
            OutboxItem(id: id, channelID: 1, userID: UserID(rawValue: 1), event: "fills", key: "k\(id)", text: "Filled \(id)", data: "{}", queuedAt: Self.now, nextAt: Self.now)
        }
        #expect(DeliveryPace.plan(due: [], kind: .telegram, preset: nil, lastSentAt: nil, now: Self.now) == .idle)
        #expect(DeliveryPace.plan(due: [item(1), item(2)], kind: .telegram, preset: nil, lastSentAt: nil, now: Self.now) == .send([item(1)]))
        #expect(
            DeliveryPace.plan(due: [item(1)], kind: .telegram, preset: nil, lastSentAt: Self.now.addingTimeInterval(-0.4), now: Self.now)
                == .wait(until: Self.now.addingTimeInterval(0.6)))
        let burst = (1...25).map(item)
        #expect(DeliveryPace.plan(due: burst, kind: .telegram, preset: nil, lastSentAt: nil, now: Self.now) == .send(burst))
        #expect(DeliveryPace.plan(due: burst, kind: .email, preset: nil, lastSentAt: nil, now: Self.now) == .send(burst))
        #expect(DeliveryPace.plan(due: burst, kind: .webhook, preset: .json, lastSentAt: nil, now: Self.now) == .send([item(1)]), "a webhook gets one body per event")
        let text = DeliveryPace.text(burst, language: "en")
        #expect(text.hasPrefix("25 notifications:\n• Filled 1\n") && text.hasSuffix("• Filled 20\n… and 5 more"))
        #expect(DeliveryPace.text(burst, language: "ko").hasPrefix("알림 25건:"))
        #expect(DeliveryPace.text([item(3)], language: "en") == "Filled 3")
        #expect(item(4).idempotencyKey == "ctp-1-4")
    }

    @Test func telegramCommandsAndTheEmergencyConfirmation() {
        #expect(ChatCommand.parse("/status") == .status)
        #expect(ChatCommand.parse("/STOP@MyTraderBot 12") == .stop(bot: 12))
        #expect(ChatCommand.parse("/start 3") == .start(bot: 3))
        #expect(ChatCommand.parse("/stop") == nil && ChatCommand.parse("/stop three") == nil && ChatCommand.parse("/balance now") == nil)
        #expect(ChatCommand.parse("status") == nil && ChatCommand.parse("/rm -rf /") == nil && ChatCommand.parse("") == nil)
        #expect(ChatCommand.parse("/emergency") == .emergency(code: nil) && ChatCommand.parse("/emergency 123456") == .emergency(code: "123456"))
        #expect(ChatCommand.isLink("ctp-12345678", code: "ctp-12345678") && ChatCommand.isLink("/start ctp-12345678", code: "ctp-12345678"))
        #expect(!ChatCommand.isLink("ctp-12345679", code: "ctp-12345678") && !ChatCommand.isLink("", code: ""))

        var confirmation = EmergencyConfirmation()
        #expect(confirmation.take("000000", fresh: "111111", now: Self.now) == .wrongCode, "no code was asked for")
        #expect(confirmation.take(nil, fresh: "222222", now: Self.now) == .ask(code: "222222"))
        #expect(confirmation.take("333333", fresh: "x", now: Self.now) == .wrongCode)
        #expect(confirmation.take("222222", fresh: "x", now: Self.now.addingTimeInterval(61)) == .wrongCode, "too late")
        #expect(confirmation.take(nil, fresh: "444444", now: Self.now) == .ask(code: "444444"))
        #expect(confirmation.take("444444", fresh: "x", now: Self.now.addingTimeInterval(59)) == .confirmed)
        #expect(confirmation.take("444444", fresh: "x", now: Self.now.addingTimeInterval(59)) == .wrongCode, "a code confirms once")
    }
}
