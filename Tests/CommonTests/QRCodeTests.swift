import Testing

@testable import Common

/// The encoder's parts against the standard's worked example and tables, and the finished symbol's
/// fixed patterns. Tests/IntegrationTests/QRCodeInteropTests compares whole symbols with python-qrcode.
@Suite struct QRCodeTests {
    static let enrolmentURI =
        "otpauth://totp/Crypto%20Trader%20Pro:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        + "&issuer=Crypto%20Trader%20Pro&algorithm=SHA1&digits=6&period=30"

    // MARK: Reed–Solomon

    @Test func errorCorrectionReproducesTheStandardsWorkedExample() {
        // ISO/IEC 18004 annex I: "01234567" as version 1-M.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let expected: [UInt8] = [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]
        #expect(QRReedSolomon.errorCorrection(for: data, count: 10) == expected)
    }

    @Test func generatorOfDegreeSevenHasTheStandardsExponents() {
        // Annex A: x⁷ + α⁸⁷x⁶ + α²²⁹x⁵ + α¹⁴⁶x⁴ + α¹⁴⁹x³ + α²³⁸x² + α¹⁰²x + α²¹.
        func alpha(_ power: Int) -> UInt8 { (0..<power).reduce(1) { value, _ in QRReedSolomon.multiply(value, 2) } }
        #expect(QRReedSolomon.generator(degree: 7) == [87, 229, 146, 149, 238, 102, 21].map(alpha))
    }

    @Test func aCodewordFollowedByItsCorrectionIsDivisibleByTheGenerator() {
        let data: [UInt8] = Array("otpauth://totp/x".utf8)
        let codeword = data + QRReedSolomon.errorCorrection(for: data, count: 18)
        #expect(QRReedSolomon.errorCorrection(for: codeword, count: 18) == Array(repeating: 0, count: 18))
    }

    // MARK: Format and version information

    @Test(arguments: [
        (
            QRCode.Level.low,
            [
                "111011111000100", "111001011110011", "111110110101010", "111100010011101",
                "110011000101111", "110001100011000", "110110001000001", "110100101110110",
            ]
        ),
        (
            .medium,
            [
                "101010000010010", "101000100100101", "101111001111100", "101101101001011",
                "100010111111001", "100000011001110", "100111110010111", "100101010100000",
            ]
        ),
        (
            .quartile,
            [
                "011010101011111", "011000001101000", "011111100110001", "011101000000110",
                "010010010110100", "010000110000011", "010111011011010", "010101111101101",
            ]
        ),
        (
            .high,
            [
                "001011010001001", "001001110111110", "001110011100111", "001100111010000",
                "000011101100010", "000001001010101", "000110100001100", "000100000111011",
            ]
        ),
    ])
    func formatInformationMatchesTheStandardsTable(level: QRCode.Level, expected: [String]) {
        let bits = (0..<8).map { binary(QRCode.formatInformation(level: level, mask: $0), width: 15) }
        #expect(bits == expected)
    }

    @Test func versionInformationMatchesTheStandardsTable() {
        #expect(binary(QRCode.versionInformation(7), width: 18) == "000111110010010100")
        #expect(binary(QRCode.versionInformation(8), width: 18) == "001000010110111100")
        #expect(binary(QRCode.versionInformation(21), width: 18) == "010101011010000011")
        #expect(binary(QRCode.versionInformation(40), width: 18) == "101000110001101001")
    }

    @Test func bothFormatCopiesInTheSymbolNameItsLevelAndMask() throws {
        for level in QRCode.Level.allCases {
            let code = try QRCode.encode(Self.enrolmentURI, level: level)
            let expected = QRCode.formatInformation(level: level, mask: code.mask)
            let nearTopLeft = [
                (8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8),
                (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8),
            ]
            let split = (0..<8).map { (code.size - 1 - $0, 8) } + (8..<15).map { (8, code.size - 15 + $0) }
            #expect(read(code, nearTopLeft) == expected)
            #expect(read(code, split) == expected)
        }
    }

    // MARK: Tables

    @Test func theModuleCountFormulaMatchesTheDrawnFunctionPatterns() {
        for version in 1...40 {
            let free = QRMatrix(version: version).isFunction.count(where: { !$0 })
            #expect(free == QRCode.dataModuleCount(version: version), "version \(version)")
        }
    }

    @Test func byteCapacitiesMatchTheStandard() {
        let expected: [(Int, QRCode.Level, Int)] = [
            (1, .low, 17), (1, .medium, 14), (1, .quartile, 11), (1, .high, 7), (7, .medium, 122),
            (10, .medium, 213), (40, .low, 2953), (40, .medium, 2331), (40, .quartile, 1663), (40, .high, 1273),
        ]
        for (version, level, bytes) in expected {
            #expect(QRCode.byteCapacity(version: version, level: level) == bytes, "\(version)-\(level)")
        }
    }

    @Test func blocksDifferByOneDataCodewordAndTheShortOnesComeFirst() {
        #expect(QRBlockLayout(version: 5, level: .quartile).dataPerBlock == [15, 15, 16, 16])
        #expect(QRBlockLayout(version: 5, level: .quartile).ecPerBlock == 18)
        #expect(QRBlockLayout(version: 1, level: .medium).dataPerBlock == [16])
        let largest = QRBlockLayout(version: 40, level: .high)
        #expect(largest.dataPerBlock.count == 81 && largest.dataPerBlock.reduce(0, +) == largest.dataCodewords)
        #expect(Set(largest.dataPerBlock) == [15, 16] && largest.dataCodewords == 1276)
    }

    @Test func alignmentPatternsAreEvenlySpacedFromTheLastToTheSecond() {
        for version in 2...40 {
            let positions = QRCode.alignmentPositions[version - 1]
            #expect(positions.count == version / 7 + 2 && positions.first == 6 && positions.last == 10 + 4 * version)
            let steps = Set(zip(positions.dropFirst(), positions.dropFirst(2)).map { $1 - $0 })
            #expect(steps.count <= 1 && steps.allSatisfy { $0 % 2 == 0 }, "version \(version)")
        }
    }

    // MARK: Helpers

    private func binary(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 2)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    /// The bits at the given modules, the first one least significant.
    private func read(_ code: QRCode, _ positions: [(Int, Int)]) -> Int {
        positions.enumerated().reduce(0) { bits, entry in bits | (code[entry.element.0, entry.element.1] ? 1 << entry.offset : 0) }
    }
}
