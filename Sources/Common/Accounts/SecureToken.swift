import Crypto
import Foundation

/// Random identifiers for sessions and CSRF tokens, and their stored form.
public enum SecureToken {
    /// 256 random bits as url-safe base64 without padding (43 characters).
    public static func random() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return Base64URL.encode(bytes).replacingOccurrences(of: "=", with: "")
    }

    /// What the database keeps of a session id: its SHA-256, hex. A stolen copy of the database
    /// gives no usable cookie.
    public static func storedForm(_ token: String) -> String {
        // Hex by table: String(format:) per byte cost more than the hash itself.
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Compares two secrets in time that does not depend on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
