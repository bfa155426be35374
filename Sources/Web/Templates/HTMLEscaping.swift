import Mustache

/// How `{{…}}` escapes text on the pages: the five characters the Mustache library escapes, with
/// the same replacements, found by scanning UTF-8 bytes. (The library walks `Character`s through
/// a dictionary, and the profile of `/trading` put that at a sixth of the page's time; most texts
/// hold none of the five and are returned as they are.)
struct HTMLEscaping: MustacheContentType {
    /// The name templates are parsed with: `Views.load` starts every template with
    /// `{{% CONTENT_TYPE: HTMLBYTES }}`, and partials and sections keep it.
    static let name = "HTMLBYTES"

    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: needsEscape) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
