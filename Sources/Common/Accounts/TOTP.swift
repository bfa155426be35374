import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second steps,
/// six digits, what every authenticator app reads from an `otpauth://` URI.
public enum TOTP {
    public static let period: Int64 = 30
    public static let digits = 6
    /// A code is accepted for the step it names, the one before and the one after (clocks drift).
    public static let window: Int64 = 1

    /// A new secret: 20 random bytes (RFC 4226's recommended 160 bits).
    public static func newSecret() -> [UInt8] {
        SymmetricKey(size: .init(bitCount: 160)).withUnsafeBytes { Array($0) }
    }

    public static func step(at time: Date) -> Int64 {
        Int64((time.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// HOTP of `counter`, `digits` long (RFC 4226 §5.3: dynamic truncation).
    public static func code(secret: [UInt8], counter: Int64, digits: Int = digits) -> String {
        var big = UInt64(bitPattern: counter).bigEndian
        let message = withUnsafeBytes(of: &big) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step a six-digit `code` is valid for at `time` (within the window), or nil. A step at
    /// or before `usedStep` is refused: a code is accepted once.
    public static func verify(_ code: String, secret: [UInt8], at time: Date, usedStep: Int64?) -> Int64? {
        let given = code.filter { !$0.isWhitespace }
        guard given.count == digits, given.allSatisfy(\.isASCII), given.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: time)
        var found: Int64?
        // Every candidate is computed and compared in constant time, so the time taken says nothing.
        for candidate in (now - window)...(now + window) where SecureToken.constantTimeEquals(self.code(secret: secret, counter: candidate), given) {
            found = candidate
        }
        guard let found, found > (usedStep ?? Int64.min) else { return nil }
        return found
    }

    /// The enrolment URI an authenticator app reads (Google's Key Uri Format).
    public static func uri(secret: [UInt8], account: String, issuer: String = "Crypto Trader Pro") -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// RFC 4648 base32 without padding, as `otpauth://` secrets are written.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return output
    }

    /// Case and spaces ignored, padding optional; nil on any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased() where character != " " && character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}

/// Ten one-time recovery codes (`abcd-efgh-jkmn`, from an alphabet without look-alikes), shown
/// once and stored only as their SHA-256 (``SecureToken/storedForm(_:)``).
public enum RecoveryCodes {
    public static let count = 10
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func make() -> [String] {
        (0..<count).map { _ in
            var generator = SystemRandomNumberGenerator()
            let letters = (0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
            return [letters[0..<4], letters[4..<8], letters[8..<12]].map { String($0) }.joined(separator: "-")
        }
    }

    /// What a typed code is compared as: lower case, no spaces or dashes.
    public static func normalized(_ code: String) -> String {
        String(code.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    public static func looksLikeOne(_ code: String) -> Bool {
        let text = normalized(code)
        return text.count == 12 && text.allSatisfy { alphabet.contains($0) }
    }
}
