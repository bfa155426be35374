import Common
import Foundation
import Testing

/// Notifications through the real supervisor, web, worker and simulator (issue 18), to the
/// receivers of `Tests/compat/notify_fakes.py`: a fake Telegram Bot API, a webhook receiver that
/// checks each body's signature, and aiosmtpd requiring STARTTLS and a login. A trade's fill
/// reaches all of them; Telegram links by its code and takes commands from the linked chat only;
/// a 429's `retry_after` is waited out; a webhook receiver down for 30 s gets every message
/// afterwards, once; no channel secret is in any answer or page (nor, by `LogSecretsTests`, any log).
@Suite(.serialized, .timeLimit(.minutes(5))) struct NotificationSystemTests {
    static let python = ProcessInfo.processInfo.environment["TRADER_TEST_PYTHON"]
    static let token = "7000001:AAHfakeTelegramTokenForTests_0123456789"
    static let webhookSecret = "webhook-signing-secret-0123456789"
    static let discordPath = "/discord/webhooks/42/discord-secret-path-abcdef"

    /// The receivers' process: its ports, and its control server's view of what arrived.
    final class Fakes: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let info: [String: Any]
        var control: String { "http://127.0.0.1:\(info["control"] as? Int ?? 0)" }
        func port(_ name: String) -> Int { info[name] as? Int ?? 0 }

        init(python: String, folder: String) throws {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [TestPaths.packageRoot + "/Tests/compat/notify_fakes.py", folder]
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            var line = Data()
            while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            info = (try JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }

        func state() async throws -> [String: [[String: Any]]] {
            (try await HTTP.get(control).json as? [String: [[String: Any]]]) ?? [:]
        }

        func post(_ path: String, _ body: [String: Any]) async throws {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            _ = try await HTTP.post(control + path, json: text)
        }

        func say(_ text: String, chat: Int) async throws {
            try await post("/update", ["token": NotificationSystemTests.token, "chat_id": chat, "text": text])
        }

        /// Telegram's messages to a chat.
        func sent(to chat: Int) async throws -> [String] {
            try await state()["sent", default: []].filter { $0["chat_id"] as? String == String(chat) }.compactMap { $0["text"] as? String }
        }
    }

    @Test(.enabled(if: python != nil, "run through `make test`, which installs aiosmtpd"))
    func eventsReachTelegramWebhooksAndEmailAndTelegramCommandsComeFromTheLinkedChatOnly() async throws {
        let folder = try TestDataDir("notify-fakes")
        let fakes = try Fakes(python: Self.python!, folder: folder.path)
        defer { fakes.stop() }
        let environment = [
            "TRADER_NOTIFICATIONS_TELEGRAM_API_URL": "http://127.0.0.1:\(fakes.port("telegram"))",
            "TRADER_NOTIFICATIONS_SMTP_HOST": "localhost", "TRADER_NOTIFICATIONS_SMTP_PORT": "\(fakes.port("smtp"))",
            "TRADER_NOTIFICATIONS_SMTP_USERNAME": fakes.info["smtp_user"] as? String ?? "",
            "TRADER_NOTIFICATIONS_SMTP_PASSWORD": fakes.info["smtp_password"] as? String ?? "",
            "TRADER_NOTIFICATIONS_SMTP_FROM": "trader@example.com", "TRADER_NOTIFICATIONS_SMTP_CA_FILE": fakes.info["ca_file"] as? String ?? "",
        ]
        for secret in [Self.token, Self.webhookSecret, Self.discordPath, fakes.info["smtp_password"] as? String ?? ""] { SecretsSeen.record(secret) }
        try await fakes.post("/webhook-secret", ["secret": Self.webhookSecret])
        try await AccountTests.withSystem("notify", environment: environment) { supervisor, web in
            _ = try await TradingTests.user(supervisor, web)
            let hook = "http://127.0.0.1:\(fakes.port("webhook"))"
            // The channels: bad ones refused with the reason, then one of each kind.
            let bad = try await web.send(.POST, "/api/v1/notification-channels", json: ["kind": "telegram", "secret": "not-a-token"])
            #expect(bad.status == 422 && bad.body.contains("token (123456:ABC"), "\(bad.body)")
            let weak = try await web.send(.POST, "/api/v1/notification-channels", json: ["kind": "webhook", "target": hook + "/hook", "secret": "short"])
            #expect(weak.status == 422 && weak.body.contains("16 characters"), "\(weak.body)")
            let unknown = try await web.send(.POST, "/api/v1/notification-channels", json: ["kind": "email", "target": "me@example.com", "events": ["fills", "gossip"]])
            #expect(unknown.status == 422 && unknown.body.contains("unknown event gossip"), "\(unknown.body)")
            let telegram = try await web.send(.POST, "/api/v1/notification-channels", json: [
                "kind": "telegram", "name": "phone", "secret": Self.token, "events": ["fills", "bot_state", "emergency_stop"],
            ])
            #expect(telegram.status == 201, "\(telegram.body)")
            let telegramID = try #require((telegram.json?["id"] as? NSNumber)?.intValue)
            let code = try #require(telegram.json?["link_code"] as? String)
            let signed = try await web.send(.POST, "/api/v1/notification-channels", json: [
                "kind": "webhook", "target": hook + "/hook/ours", "secret": Self.webhookSecret, "events": ["fills", "orders"],
            ])
            #expect(signed.status == 201, "\(signed.body)")
            let signedID = try #require((signed.json?["id"] as? NSNumber)?.intValue)
            #expect(try await web.send(.POST, "/api/v1/notification-channels", json: ["kind": "webhook", "preset": "discord", "target": hook + Self.discordPath, "events": ["fills"]]).status == 201)
            #expect(try await web.send(.POST, "/api/v1/notification-channels", json: ["kind": "email", "target": "owner@example.com", "events": ["fills"]]).status == 201)

            // The page's forms: a refusal shown with its reason; a channel added with its boxes, then deleted.
            let settings = try await web.get("/settings")
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: settings.body))
            let refusedForm = try await web.send(.POST, "/settings/channels", form: ["csrf_token": csrf, "kind": "webhook", "target": hook + "/form", "secret": "short"])
            #expect(refusedForm.status == 422 && refusedForm.body.contains("at least 16 characters"), "\(refusedForm.status)")
            let added = try await web.send(.POST, "/settings/channels", form: [
                "csrf_token": csrf, "kind": "email", "name": "form mail", "target": "form@example.com", "event_exits": "on", "unreachable_minutes": "9",
            ])
            #expect(added.status == 303, "\(added.status) \(added.body.prefix(300))")
            let formChannel = try #require(try await TradingTests.items(web, "/api/v1/notification-channels").first { $0["name"] as? String == "form mail" })
            #expect(formChannel["events"] as? [String] == ["exits"] && formChannel["unreachable_minutes"] as? Int == 9)
            let formID = try #require((formChannel["id"] as? NSNumber)?.intValue)
            #expect(try await web.send(.POST, "/settings/channels/\(formID)/delete", form: ["csrf_token": csrf]).status == 303)
            #expect(try await web.get("/api/v1/notification-channels").body.contains("form mail") == false)

            // Linking: a wrong code from any chat links nothing; the code does.
            try await fakes.say("ctp-00000000", chat: 999)
            try await fakes.say(code, chat: 111)
            let linked = try await waitUntilAsync(.seconds(15)) {
                try await TradingTests.items(web, "/api/v1/notification-channels").first { ($0["id"] as? NSNumber)?.intValue == telegramID }?["target"] as? String == "111"
            }
            #expect(linked)
            #expect(try await fakes.sent(to: 999).isEmpty)

            // A fill reaches every channel: Telegram's chat, a signed JSON body, Discord's shape, an e-mail over TLS with a login.
            let order = try await web.send(.POST, "/api/v1/orders", json: ["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "0.001"])
            #expect(order.status == 202, "\(order.body)")
            var state: [String: [[String: Any]]] = [:]
            let told = try await waitUntilAsync(.seconds(20)) {
                state = try await fakes.state()
                let telegram = state["sent", default: []].contains { ($0["text"] as? String ?? "").hasPrefix("Filled: BUY 0.001 BTCUSDT") }
                let ours = state["received", default: []].contains { $0["path"] as? String == "/hook/ours" && ($0["body"] as? String ?? "").contains(#""event":"fills""#) }
                let discord = state["received", default: []].contains { $0["path"] as? String == Self.discordPath && ($0["body"] as? String ?? "").contains(#""content":"Filled"#) }
                let mail = state["mail", default: []].contains { ($0["subject"] as? String ?? "").contains("Filled: BUY 0.001 BTCUSDT") }
                return telegram && ours && discord && mail
            }
            #expect(told, "\(state)")
            for body in state["received", default: []] where body["path"] as? String == "/hook/ours" {
                #expect(body["valid"] as? Bool == true && (body["key"] as? String ?? "").hasPrefix("ctp-\(signedID)-"), "\(body)")
            }
            for mail in state["mail", default: []] {
                #expect(mail["tls"] as? Bool == true && mail["login"] as? Bool == true && (mail["to"] as? [String]) == ["owner@example.com"], "\(mail)")
            }

            // No secret in any answer or page.
            let listed = try await web.get("/api/v1/notification-channels")
            let page = try await web.get("/settings")
            for secret in [Self.token, Self.webhookSecret, Self.discordPath, "discord-secret-path"] {
                #expect(!listed.body.contains(secret) && !page.body.contains(secret), "\(secret) is shown")
            }
            #expect(page.body.contains("Linked to chat 111") && page.body.contains("Last delivery: delivered"), "\(page.body.prefix(200))")

            // Commands: from another chat ignored; from the linked chat a paper bot stops, through the web.
            let created = try await web.send(.POST, "/api/v1/bots", json: [
                "name": "paper dca", "mode": "paper", "symbol": "BTCUSDT", "allocation_usdt": "100",
                "strategy": ["name": "dca", "params": ["base_order": "20", "take_profit": "1.5", "safety_orders": 1, "deviation": "2"]],
            ])
            let bot = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(try await web.send(.POST, "/api/v1/bots/\(bot)/start").status == 202)
            #expect(try await waitUntilAsync(.seconds(20)) { try await PaperBotTests.bot(web, bot)["state"] as? String == "running" })
            try await fakes.say("/stop \(bot)", chat: 222)
            try await fakes.say("/bots", chat: 111)
            #expect(try await waitUntilAsync(.seconds(10)) { try await fakes.sent(to: 111).contains { $0.contains("\(bot): paper dca — dca (paper), running") } })
            #expect(try await PaperBotTests.bot(web, bot)["state"] as? String == "running", "a command from another chat stopped the bot")
            #expect(try await fakes.sent(to: 222).isEmpty)
            try await fakes.say("/stop \(bot)", chat: 111)
            #expect(try await waitUntilAsync(.seconds(15)) { try await PaperBotTests.bot(web, bot)["state"] as? String == "stopped" })
            #expect(try await waitUntilAsync(.seconds(10)) { try await fakes.sent(to: 111).contains { $0.contains("Bot \(bot) is stopping") } })
            #expect(try await web.get("/api/v1/activity").body.contains("stop bot \(bot)"), "the Telegram command is in the audit trail")
            #expect(try await waitUntilAsync(.seconds(10)) { try await fakes.sent(to: 111).contains { $0.hasPrefix("Bot \(bot) (BTCUSDT, paper): stopped") } })
            // 429 with retry_after: the next attempt waits it out.
            try await fakes.post("/fail429", ["count": 1, "retry_after": 2])
            #expect(try await web.send(.POST, "/api/v1/notification-channels/\(telegramID)/test").status == 202)
            var delivered: Double = 0
            #expect(try await waitUntilAsync(.seconds(20)) {
                state = try await fakes.state()
                delivered = state["sent", default: []].last { ($0["text"] as? String ?? "").contains("test message") }?["time"] as? Double ?? 0
                return delivered > 0
            })
            let refused = try #require(state["refused", default: []].last { $0["status"] as? Int == 429 }?["time"] as? Double)
            #expect(delivered - refused >= 1.9, "delivered \(delivered - refused) s after the 429 that asked for 2 s")

            // A receiver down for 30 s gets every message afterwards, once.
            try await fakes.post("/webhook-down", ["seconds": 30])
            try await Task.sleep(for: .milliseconds(300))
            for price in ["30000", "30100"] {
                let placed = try await web.send(.POST, "/api/v1/orders", json: ["symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": "0.001", "price": price])
                #expect(placed.status == 202, "\(placed.body)")
            }
            let failing = try await waitUntilAsync(.seconds(15)) {
                let channel = try await TradingTests.items(web, "/api/v1/notification-channels").first { ($0["id"] as? NSNumber)?.intValue == signedID }
                return (channel?["last_result"] as? [String: Any])?["ok"] as? Bool == false
            }
            #expect(failing, "the channel's last result says the receiver failed")
            var keys: [String] = []
            let back = try await waitUntilAsync(.seconds(75)) {
                state = try await fakes.state()
                let bodies = state["received", default: []].filter { $0["path"] as? String == "/hook/ours" && ($0["body"] as? String ?? "").contains("Order placed: BUY LIMIT") }
                keys = bodies.compactMap { $0["key"] as? String }
                return bodies.contains { ($0["body"] as? String ?? "").contains("@ 30000") } && bodies.contains { ($0["body"] as? String ?? "").contains("@ 30100") }
            }
            #expect(back, "\(keys)")
            try await Task.sleep(for: .seconds(3))
            let all = try await fakes.state()["received", default: []].compactMap { $0["key"] as? String }
            #expect(Set(all).count == all.count, "a message arrived twice: \(all)")

            // /emergency asks for a confirmation first.
            try await fakes.say("/emergency", chat: 111)
            var asked = ""
            #expect(try await waitUntilAsync(.seconds(10)) {
                asked = try await fakes.sent(to: 111).last { $0.contains("To confirm, send /emergency ") } ?? ""
                return !asked.isEmpty
            })
            let confirmation = try #require(asked.components(separatedBy: "/emergency ").last?.split(separator: " ").first.map(String.init))
            try await fakes.say("/emergency \(confirmation)", chat: 111)
            #expect(try await waitUntilAsync(.seconds(10)) { try await fakes.sent(to: 111).contains { $0.hasPrefix("Emergency stop sent") } })
            #expect(try await web.get("/api/v1/activity").body.contains("emergency stop"), "the Telegram /emergency is in the audit trail")
            // ... and the worker's emergency stop is an event of its own.
            #expect(try await waitUntilAsync(.seconds(10)) { try await fakes.sent(to: 111).contains { $0.hasPrefix("Emergency stop: ") } })
        }
    }
}
