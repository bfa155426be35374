/// A QR code (ISO/IEC 18004) of a text in byte mode, for showing an `otpauth://` enrolment URI
/// to an authenticator app.
///
/// The text's UTF-8 bytes go in one byte-mode segment with no ECI header: authenticator apps and
/// phone cameras read byte mode as UTF-8, and an `otpauth://` URI is ASCII anyway. Every version
/// (1...40) and every error-correction level is supported; Kanji, numeric and alphanumeric
/// modes, structured append and Micro QR are not.
public struct QRCode: Sendable, Equatable {
    /// How many codewords may be lost and still be recovered: about 7%, 15%, 25% and 30%.
    public enum Level: Sendable, CaseIterable {
        case low, medium, quartile, high
    }

    /// Too many bytes for any version at the level asked for (or for the version asked for).
    public struct TooLong: Error, Equatable, CustomStringConvertible {
        /// The UTF-8 length of the text.
        public let bytes: Int
        /// The most bytes that fit.
        public let capacity: Int

        public var description: String {
            "The text takes \(bytes) bytes and a QR code at this error-correction level holds at most \(capacity): shorten it or choose a lower level."
        }
    }

    public let level: Level
    /// 1...40.
    public let version: Int
    /// Modules on a side, without the quiet zone: 17 + 4 × version.
    public let size: Int
    /// The mask pattern applied to the data modules, 0...7.
    public let mask: Int
    /// Row-major, true = dark module; size × size entries.
    public let modules: [Bool]

    /// The module in column `x` and row `y`, both counted from the top-left corner: `code[x, y]`.
    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// Byte mode (UTF-8 bytes), the smallest version that fits at `level`, and the mask with the
    /// lowest penalty under the standard's four rules (the first such mask on a tie).
    public static func encode(_ text: String, level: Level = .medium) throws(TooLong) -> QRCode {
        let bytes = Array(text.utf8)
        guard let version = (1...40).first(where: { byteCapacity(version: $0, level: level) >= bytes.count }) else {
            throw TooLong(bytes: bytes.count, capacity: byteCapacity(version: 40, level: level))
        }
        let codewords = codewords(for: bytes, version: version, level: level)
        let candidates = (0..<8).map { mask in
            let code = QRCode(codewords: codewords, level: level, version: version, mask: mask)
            return (code: code, penalty: penalty(modules: code.modules, size: code.size))
        }
        // min(by:) keeps the first of equal elements, so ties go to the lower mask number.
        return candidates.min { $0.penalty < $1.penalty }!.code
    }

    /// The same with a fixed version (1...40) and mask (0...7), so that tests can compare the
    /// symbol with another encoder's.
    static func encode(_ text: String, level: Level, version: Int, mask: Int) throws(TooLong) -> QRCode {
        precondition((1...40).contains(version) && (0...7).contains(mask), "version 1...40, mask 0...7")
        let bytes = Array(text.utf8)
        let capacity = byteCapacity(version: version, level: level)
        guard bytes.count <= capacity else { throw TooLong(bytes: bytes.count, capacity: capacity) }
        return QRCode(codewords: codewords(for: bytes, version: version, level: level), level: level, version: version, mask: mask)
    }

    private init(codewords: [UInt8], level: Level, version: Int, mask: Int) {
        var matrix = QRMatrix(version: version)
        matrix.place(codewords)
        matrix.apply(mask: mask)
        matrix.drawFormatInformation(Self.formatInformation(level: level, mask: mask))
        self.level = level
        self.version = version
        self.size = matrix.size
        self.mask = mask
        self.modules = matrix.modules
    }
}
