import Crypto
import Foundation

/// Binance's HMAC-SHA256 request signature: hex of HMAC(secret, query string + body), the two
/// concatenated with no separator (BINANCE.md §2).
public struct BinanceSigner: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// - Parameters:
    ///   - query: the percent-encoded query string, without `?` and without `signature`.
    ///   - body: the form body exactly as sent (empty for GET).
    public func signature(query: String, body: String = "") -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((query + body).utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time check of a received signature (case-insensitive hex), for the simulator.
    public func isValid(signature: String, query: String, body: String) -> Bool {
        guard signature.count == 64, let bytes = Self.hexBytes(signature.lowercased()) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data((query + body).utf8), using: key)
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
