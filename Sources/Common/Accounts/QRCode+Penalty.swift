extension QRCode {
    /// The standard's four penalty rules (ISO/IEC 18004:2015, 7.8.3), summed over the finished
    /// symbol, format and version information included (as ZXing and Nayuki's encoder score it;
    /// python-qrcode leaves those modules light while it scores). The mask with the lowest score
    /// is used.
    ///
    /// 1. Each run of five or more same-coloured modules in a row or column: 3, plus 1 for each
    ///    module past five.
    /// 2. Each 2×2 block of one colour: 3 (blocks overlap, so a larger area counts many times).
    /// 3. Each 1:1:3:1:1 finder-like pattern with four light modules on one side: 40. Only
    ///    modules inside the symbol count, as in python-qrcode (ZXing also lets the quiet zone
    ///    serve as the light side), so that our scores can be checked against its own.
    /// 4. The dark share's distance from 50%, in whole steps of 5%: 10 per step.
    static func penalty(modules: [Bool], size: Int) -> Int {
        var score = 0
        for index in 0..<size {
            score += lineScore((0..<size).map { modules[index * size + $0] })
            score += lineScore((0..<size).map { modules[$0 * size + index] })
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = modules[y * size + x]
                if modules[y * size + x + 1] == colour, modules[(y + 1) * size + x] == colour,
                    modules[(y + 1) * size + x + 1] == colour
                {
                    score += 3
                }
            }
        }
        let dark = modules.count(where: { $0 })
        let total = size * size
        // |dark/total − 1/2| in steps of 1/20, in integers so that no rounding decides a step.
        score += 10 * (abs(20 * dark - 10 * total) / total)
        return score
    }

    /// Rule 1's runs and rule 3's finder-like patterns along one row or column.
    private static func lineScore(_ line: [Bool]) -> Int {
        var score = 0
        var run = 1
        for index in 1...line.count {
            if index < line.count, line[index] == line[index - 1] {
                run += 1
            } else {
                if run >= 5 { score += run - 2 }
                run = 1
            }
        }
        guard line.count >= 11 else { return score }
        for start in 0...(line.count - 11) {
            let window = line[start..<start + 11]
            if finderLike.contains(where: { $0.elementsEqual(window) }) { score += 40 }
        }
        return score
    }

    /// Dark-light-dark×3-light-dark with four light modules after it, or before it.
    private static let finderLike: [[Bool]] = ["10111010000", "00001011101"].map { $0.map { $0 == "1" } }
}
