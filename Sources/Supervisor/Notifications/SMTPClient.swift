import Common
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one e-mail over SMTP with STARTTLS (RFC 3207): nothing, not even the login, goes over
/// the wire before TLS is up, and a server that does not offer STARTTLS is refused.
struct SMTPClient: Sendable {
    struct Settings: Sendable {
        let host: String
        let port: Int
        let username: String
        let password: String
        let from: String
        let caFile: String?
    }

    /// `code`: the server's reply code (5xx: refused for good), nil when it did not answer.
    struct Failure: Error, CustomStringConvertible {
        let code: Int?
        let message: String
        var description: String { code.map { "SMTP \($0): \(message)" } ?? message }
    }

    let settings: Settings

    func send(to recipient: String, subject: String, body: String, timeout: Duration = .seconds(20)) async throws(Failure) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.converse(to: recipient, subject: subject, body: body) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw Failure(code: nil, message: "the SMTP server did not finish within \(timeout)")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(code: nil, message: "no answer from \(settings.host):\(settings.port): \(error)")
        }
    }

    private func converse(to recipient: String, subject: String, body: String) async throws {
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(LineHandler(continuation)) }
            }
            .connect(host: settings.host, port: settings.port).get()
        defer { channel.close(promise: nil) }
        var reader = lines.makeAsyncIterator()
        func reply(_ expected: Int) async throws -> String {
            var text: [String] = []
            while let line = await reader.next() {
                text.append(String(line.dropFirst(4)))
                let code = Int(line.prefix(3))
                guard line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] == "-" else {
                    guard let code, code / 100 == expected / 100 else {
                        throw Failure(code: code, message: line.count > 4 ? String(line.dropFirst(4)) : line)
                    }
                    return text.joined(separator: "\n")
                }
            }
            throw Failure(code: nil, message: "the SMTP server closed the connection")
        }
        func say(_ line: String, expect: Int) async throws -> String {
            try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n"))
            return try await reply(expect)
        }
        _ = try await reply(220)
        let hello = "EHLO crypto-trader-pro"
        let offered = try await say(hello, expect: 250)
        guard offered.uppercased().split(separator: "\n").contains(where: { $0.hasPrefix("STARTTLS") }) else {
            throw Failure(code: 530, message: "the server does not offer STARTTLS; mail is never sent in the clear")
        }
        _ = try await say("STARTTLS", expect: 220)
        try await startTLS(channel)
        _ = try await say(hello, expect: 250)
        if !settings.username.isEmpty {
            let plain = Data(("\0" + settings.username + "\0" + settings.password).utf8).base64EncodedString()
            _ = try await say("AUTH PLAIN " + plain, expect: 235)
        }
        _ = try await say("MAIL FROM:<\(settings.from)>", expect: 250)
        _ = try await say("RCPT TO:<\(recipient)>", expect: 250)
        _ = try await say("DATA", expect: 354)
        _ = try await say(Self.message(from: settings.from, to: recipient, subject: subject, body: body) + "\r\n.", expect: 250)
        _ = try? await say("QUIT", expect: 221)
    }

    private func startTLS(_ channel: any Channel) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile { tls.trustRoots = .file(ca) }
        let context = try NIOSSLContext(configuration: tls)
        let isAddress = settings.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let name = isAddress ? nil : settings.host
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: name), position: .first)
        }.get()
    }

    /// The message: headers, then the text as base64 UTF-8 (any language, any line).
    static func message(from: String, to: String, subject: String, body: String, date: Date = Date()) -> String {
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .gmt
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: Crypto Trader Pro <\(from)>", "To: <\(to)>", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@crypto-trader-pro>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64", "", encoded,
        ].joined(separator: "\r\n")
    }

    /// The server's reply lines, one by one.
    final class LineHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<String>.Continuation
        var pending = ""

        init(_ continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let end = pending.range(of: "\r\n") {
                continuation.yield(String(pending[..<end.lowerBound]))
                pending.removeSubrange(..<end.upperBound)
            }
            if pending.count > 4096 { context.close(promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            continuation.finish()
            context.close(promise: nil)
        }
    }
}
