/// Client order ids: the same decision gets the same id in every process and after every
/// restart, so that the exchange refuses a second attempt as a duplicate, and a lookup by id
/// finds the first one. Binance allows `^[a-zA-Z0-9-_.:/]{1,36}$`.
///
/// Shape: `u<user>-<symbol>-<key>-<purpose>`, where `key` names the decision (a candle's time,
/// a position's opening time) and `purpose` what the order is for (`BE` entry, `SX` strategy
/// exit, `XT`/`XS` the exchange-held exits …). A symbol of more than 12 characters is shortened
/// to its first 8 and a stable hash of the whole (FNV-1a: Swift's own hashing is seeded anew in
/// every process, so an id built from it would change with every restart).
public enum ClientOrderID {
    public static let maxLength = 36

    /// The purpose is always kept whole: an id that would be too long writes its key in base 36,
    /// and then keeps only the key's last digits (the ids of one decision differ only in their
    /// purpose, so two orders of one decision never share an id).
    public static func make(user: Int64, symbol: String, key: Int64, purpose: String) -> String {
        let head = "u\(user)-\(shortSymbol(symbol))-"
        let tail = "-" + purpose.prefix(8)
        var keyText = String(key)
        if head.count + keyText.count + tail.count > maxLength { keyText = String(key, radix: 36, uppercase: true) }
        let room = maxLength - head.count - tail.count
        if keyText.count > room { keyText = String(keyText.suffix(max(room, 0))) }
        return String((head + keyText + tail).prefix(maxLength))
    }

    /// The symbol itself up to 12 characters; otherwise its first 8 and 4 base-36 digits of a
    /// stable hash of the whole.
    public static func shortSymbol(_ symbol: String) -> String {
        guard symbol.count > 12 else { return symbol }
        let digits = String(fnv1a32(symbol) % 1_679_616, radix: 36, uppercase: true)  // 36^4
        return String(symbol.prefix(8)) + String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// FNV-1a, 32 bits, over the UTF-8 bytes: the same value in every process, on every machine.
    public static func fnv1a32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
