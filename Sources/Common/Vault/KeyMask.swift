/// The form in which an API key may be shown: the first and last four characters.
public enum KeyMask {
    public static func mask(_ key: String) -> String {
        guard key.count > 8 else { return String(repeating: "•", count: key.count) }
        return "\(key.prefix(4))…\(key.suffix(4))"
    }
}
