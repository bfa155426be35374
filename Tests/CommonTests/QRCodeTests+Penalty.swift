import Testing

@testable import Common

extension QRCodeTests {
    /// Each penalty rule alone, on 11×11 grids small enough to count by hand.
    @Suite struct Penalty {
        /// Dark where x + y is even: no runs, no 2×2 blocks, no finder-like pattern, 61 of 121
        /// dark (50.4%), so a penalty of 0 before any row is changed.
        func checkerboard(row: Int? = nil, replacedBy pattern: String = "") -> [Bool] {
            var modules = (0..<121).map { ($0 / 11 + $0 % 11) % 2 == 0 }
            if let row {
                for (x, digit) in pattern.enumerated() { modules[row * 11 + x] = digit == "1" }
            }
            return modules
        }

        @Test func aCheckerboardCostsNothing() {
            #expect(QRCode.penalty(modules: checkerboard(), size: 11) == 0)
        }

        @Test func aRunOfSevenCostsFive() {
            #expect(QRCode.penalty(modules: checkerboard(row: 5, replacedBy: "11111110101"), size: 11) == 5)
        }

        @Test func aFinderLikePatternCostsForty() {
            #expect(QRCode.penalty(modules: checkerboard(row: 5, replacedBy: "10111010000"), size: 11) == 40)
            #expect(QRCode.penalty(modules: checkerboard(row: 5, replacedBy: "00001011101"), size: 11) == 40)
        }

        @Test func anAllDarkGridPaysEveryRuleButTheThird() {
            // Rule 1: 22 lines of 11 at 9 each; rule 2: 100 blocks at 3; rule 4: 100% dark is ten steps of 5%.
            #expect(QRCode.penalty(modules: Array(repeating: true, count: 121), size: 11) == 22 * 9 + 100 * 3 + 100)
        }
    }
}
