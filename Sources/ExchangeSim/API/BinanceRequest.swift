import Common
import Foundation
import Hummingbird

/// A request as Binance reads it: parameters from the query string and a form body (the query
/// wins), and for signed endpoints the API key, the signature over query + body exactly as
/// received, and the timestamp window.
struct BinanceRequest {
    let query: String
    let body: String
    let parameters: [String: String]
    let apiKey: String?

    static func read(_ request: Request, context: SimContext) async throws -> BinanceRequest {
        let query = request.uri.query ?? ""
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let body = String(buffer: buffer)
        var parameters: [String: String] = [:]
        let isJSON = request.headers[.contentType]?.contains("json") == true
        if !body.isEmpty, !isJSON, let pairs = QueryString.parse(Substring(body)) {
            for (name, value) in pairs { parameters[name] = value }
        }
        guard let pairs = QueryString.parse(Substring(query)) else {
            throw SimError(status: 400, code: -1100, message: "Illegal characters found in a parameter.")
        }
        for (name, value) in pairs { parameters[name] = value }
        return BinanceRequest(query: query, body: isJSON ? "" : body, parameters: parameters, apiKey: request.headers[.init("X-MBX-APIKEY")!])
    }

    func string(_ name: String) throws(SimError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .missing(name) }
        return value
    }

    func decimal(_ name: String) throws(SimError) -> Decimal? {
        guard let text = parameters[name], !text.isEmpty else { return nil }
        guard let value = DecimalText.parse(text), value >= 0 else { throw .illegal(name) }
        return value
    }

    func integer(_ name: String) throws(SimError) -> Int64? {
        guard let text = parameters[name], !text.isEmpty else { return nil }
        guard let value = Int64(text) else { throw .illegal(name) }
        return value
    }

    /// Checks the key, the signature and the timestamp; returns the account's key.
    func authenticate(_ exchange: SimExchange) throws(SimError) -> String {
        guard let apiKey, !apiKey.isEmpty, apiKey.count <= 128 else { throw .badKeyFormat }
        guard let secret = exchange.secret(forKey: apiKey) else { throw .rejectedKey }
        let signature = try string("signature")
        let signer = BinanceSigner(secret: secret)
        guard signer.isValid(signature: signature, query: Self.strippingSignature(query), body: Self.strippingSignature(body)) else {
            throw .badSignature
        }
        guard let timestamp = try integer("timestamp") else { throw .missing("timestamp") }
        let window = try decimal("recvWindow") ?? 5_000
        if window > 60_000 { throw .badRecvWindow }
        let timestampMs = timestamp > 10_000_000_000_000 ? timestamp / 1_000 : timestamp
        let now = exchange.nowMs
        if timestampMs >= now + 1_000 { throw .aheadOfServer }
        if Decimal(now - timestampMs) > window { throw .outsideWindow }
        return apiKey
    }

    /// The signed text is everything but the `signature` parameter itself.
    static func strippingSignature(_ text: String) -> String {
        let parts = text.split(separator: "&", omittingEmptySubsequences: false).filter { !$0.hasPrefix("signature=") }
        return parts.joined(separator: "&")
    }
}
