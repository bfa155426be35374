extension QRCode {
    /// The final codeword sequence of a text's bytes: the byte-mode segment, terminator and pad
    /// codewords, split into blocks, each block's error correction, then both interleaved.
    static func codewords(for bytes: [UInt8], version: Int, level: Level) -> [UInt8] {
        let layout = QRBlockLayout(version: version, level: level)
        let data = dataCodewords(for: bytes, version: version, count: layout.dataCodewords)
        var blocks: [[UInt8]] = []
        var start = 0
        for length in layout.dataPerBlock {
            blocks.append(Array(data[start..<start + length]))
            start += length
        }
        let corrections = blocks.map { QRReedSolomon.errorCorrection(for: $0, count: layout.ecPerBlock) }
        return interleave(blocks) + interleave(corrections)
    }

    /// Mode indicator 0100, the byte count, the bytes, up to four zero bits of terminator, zero
    /// bits to the next codeword, then 0xEC and 0x11 in turn until the data codewords are full.
    static func dataCodewords(for bytes: [UInt8], version: Int, count: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, bitCount: Int) {
            for shift in stride(from: bitCount - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, bitCount: 4)
        append(bytes.count, bitCount: countBits(version: version))
        for byte in bytes { append(Int(byte), bitCount: 8) }
        append(0, bitCount: min(4, count * 8 - bits.count))
        append(0, bitCount: (8 - bits.count % 8) % 8)

        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        for index in 0..<(count - codewords.count) { codewords.append(index % 2 == 0 ? 0xEC : 0x11) }
        return codewords
    }

    /// The first codeword of every block, then the second, and so on; shorter blocks drop out
    /// when they run out.
    static func interleave(_ blocks: [[UInt8]]) -> [UInt8] {
        let longest = blocks.map(\.count).max() ?? 0
        var result: [UInt8] = []
        for index in 0..<longest {
            for block in blocks where index < block.count { result.append(block[index]) }
        }
        return result
    }

    /// 15 bits: the level's two bits and the mask's three, ten BCH(15,5) check bits (generator
    /// 0x537), all XORed with 0x5412 so that no combination is all light.
    static func formatInformation(level: Level, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// 18 bits: the version's six bits and twelve BCH(18,6) check bits (generator 0x1F25).
    static func versionInformation(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }
}
