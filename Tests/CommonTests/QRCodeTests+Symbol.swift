import Testing

@testable import Common

extension QRCodeTests {
    /// Whole symbols: their fixed patterns, the choice of version and mask, the errors and the SVG.
    @Suite struct Symbol {
        @Test func sizesFollowTheVersion() throws {
            for (text, level, version) in [("", QRCode.Level.high, 1), (String(repeating: "a", count: 2953), .low, 40)] {
                let code = try QRCode.encode(text, level: level)
                #expect(code.version == version && code.size == 17 + 4 * version)
                #expect(code.modules.count == code.size * code.size)
            }
        }

        @Test func findersSeparatorsTimingAndTheDarkModuleAreInPlace() throws {
            let code = try QRCode.encode(QRCodeTests.enrolmentURI)
            let last = code.size - 1
            for (left, top) in [(0, 0), (last - 6, 0), (0, last - 6)] {
                for dy in 0..<7 {
                    for dx in 0..<7 {
                        let ring = max(abs(dx - 3), abs(dy - 3))
                        #expect(code[left + dx, top + dy] == (ring != 2), "finder at \(left),\(top)")
                    }
                }
            }
            for index in 0..<8 {
                #expect(!code[7, index] && !code[index, 7], "top-left separator")
                #expect(!code[last - 7, index] && !code[last - index, 7], "top-right separator")
                #expect(!code[7, last - index] && !code[index, last - 7], "bottom-left separator")
            }
            for index in 8...(last - 8) {
                #expect(code[index, 6] == (index % 2 == 0) && code[6, index] == (index % 2 == 0))
            }
            #expect(code[8, last - 7])
        }

        @Test func anAlignmentPatternSitsAtEachFreeCentre() throws {
            let code = try QRCode.encode(QRCodeTests.enrolmentURI, level: .high)
            #expect(code.version >= 7)
            let positions = QRCode.alignmentPositions[code.version - 1]
            for x in positions {
                for y in positions where !(x == 6 && y == 6) && !(x == 6 && y == positions.last) && !(y == 6 && x == positions.last) {
                    #expect(code[x, y] && !code[x + 1, y] && code[x + 2, y + 2], "at \(x),\(y)")
                }
            }
        }

        @Test func anEnrolmentURIOfAbout150BytesTakesTheSmallestVersionThatHoldsIt() throws {
            let bytes = QRCodeTests.enrolmentURI.utf8.count
            let code = try QRCode.encode(QRCodeTests.enrolmentURI)
            #expect(bytes == 159)
            // Version 8-M holds 152 bytes, 9-M 180: 53×53 modules, easy to scan from a screen.
            #expect(code.version == 9 && code.level == .medium)
        }

        @Test func theChosenMaskHasTheLowestPenaltyAndTheLowestNumberOnATie() throws {
            for text in ["", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", QRCodeTests.enrolmentURI] {
                let chosen = try QRCode.encode(text)
                let penalties = try (0..<8).map { mask in
                    let code = try QRCode.encode(text, level: .medium, version: chosen.version, mask: mask)
                    return QRCode.penalty(modules: code.modules, size: code.size)
                }
                #expect(chosen.mask == penalties.firstIndex(of: penalties.min()!), "\(penalties)")
                #expect(chosen == (try QRCode.encode(text, level: .medium, version: chosen.version, mask: chosen.mask)))
            }
        }

        @Test func tooLongSaysHowManyBytesFit() {
            #expect(throws: QRCode.TooLong(bytes: 2332, capacity: 2331)) {
                try QRCode.encode(String(repeating: "x", count: 2332))
            }
            #expect(throws: QRCode.TooLong(bytes: 15, capacity: 14)) {
                try QRCode.encode(String(repeating: "x", count: 15), level: .medium, version: 1, mask: 0)
            }
            // Bytes, not characters: each "é" takes two.
            #expect(throws: QRCode.TooLong(bytes: 1274, capacity: 1273)) {
                try QRCode.encode(String(repeating: "é", count: 637), level: .high)
            }
            #expect(QRCode.TooLong(bytes: 2332, capacity: 2331).description.contains("at most 2331"))
        }
    }
}
