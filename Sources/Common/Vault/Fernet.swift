import Crypto
import CryptoExtras
import Foundation

/// Fernet tokens (version 0x80, AES-128-CBC with PKCS#7, HMAC-SHA256, url-safe base64), as
/// specified at github.com/fernet/spec and as Python's `cryptography.fernet` makes them.
public struct Fernet: Sendable {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidKey
        case invalidToken
        case expired

        public var description: String {
            switch self {
            case .invalidKey: "the Fernet key is not 32 bytes of url-safe base64"
            case .invalidToken: "the token is malformed or was not made with this key"
            case .expired: "the token is older than its time-to-live"
            }
        }
    }

    private let signingKey: SymmetricKey
    private let encryptionKey: SymmetricKey

    /// - Parameter key: 32 bytes of url-safe base64 (44 characters, padded), as `Fernet.generate_key()` makes.
    public init(key: String) throws(Error) {
        guard let bytes = Base64URL.decode(key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw .invalidKey
        }
        signingKey = SymmetricKey(data: bytes.prefix(16))
        encryptionKey = SymmetricKey(data: bytes.suffix(16))
    }

    /// A new random key.
    public static func generateKey() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    public func encrypt(_ plaintext: Data, now: Date = Date(), iv: [UInt8]? = nil) -> String {
        let ivBytes = iv ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        // The IV is 16 bytes by construction, so neither call can fail.
        let cbcIV = try! AES._CBC.IV(ivBytes: ivBytes)
        let ciphertext = try! AES._CBC.encrypt(plaintext, using: encryptionKey, iv: cbcIV)
        var token = Data([0x80])
        let timestamp = UInt64(max(0, now.timeIntervalSince1970.rounded(.down)))
        withUnsafeBytes(of: timestamp.bigEndian) { token.append(contentsOf: $0) }
        token.append(contentsOf: ivBytes)
        token.append(ciphertext)
        token.append(contentsOf: HMAC<SHA256>.authenticationCode(for: token, using: signingKey))
        return Base64URL.encode(token)
    }

    public func encrypt(_ plaintext: String, now: Date = Date()) -> String {
        encrypt(Data(plaintext.utf8), now: now)
    }

    /// - Parameters:
    ///   - ttl: refuse tokens older than this many seconds (nil: no limit).
    public func decrypt(_ token: String, ttl: TimeInterval? = nil, now: Date = Date()) throws(Error) -> Data {
        guard let bytes = Base64URL.decode(token), bytes.count >= 1 + 8 + 16 + 16 + 32, bytes.first == 0x80 else {
            throw .invalidToken
        }
        let body = bytes.prefix(bytes.count - 32)
        let mac = bytes.suffix(32)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: signingKey) else {
            throw .invalidToken
        }
        let timestamp = body.dropFirst().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let issued = TimeInterval(timestamp)
        if let ttl {
            if issued + ttl < now.timeIntervalSince1970 { throw .expired }
        }
        // Tokens from too far in the future are invalid (clock skew of 60 s allowed).
        if issued > now.timeIntervalSince1970 + 60 { throw .invalidToken }
        let iv = Array(body.dropFirst(9).prefix(16))
        let ciphertext = body.dropFirst(25)
        guard ciphertext.count % 16 == 0, !ciphertext.isEmpty, let cbcIV = try? AES._CBC.IV(ivBytes: iv) else {
            throw .invalidToken
        }
        guard let plaintext = try? AES._CBC.decrypt(Data(ciphertext), using: encryptionKey, iv: cbcIV) else {
            throw .invalidToken
        }
        return plaintext
    }

    public func decryptString(_ token: String) throws(Error) -> String {
        guard let text = String(data: try decrypt(token), encoding: .utf8) else { throw .invalidToken }
        return text
    }
}

/// Url-safe base64 with padding, as Fernet uses; decoding accepts missing padding.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    public static func decode(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_=".contains($0)) }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
