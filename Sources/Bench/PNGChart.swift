import Foundation

/// A line chart written as a PNG, with nothing but Foundation: an RGB canvas, lines, and the PNG
/// container with uncompressed ("stored") deflate blocks. Enough for the soak report's memory and
/// open-files curves; the numbers themselves are in the CSV beside it.
struct PNGChart {
    struct Series {
        let name: String
        let color: (UInt8, UInt8, UInt8)
        let points: [(x: Double, y: Double)]
    }

    let width: Int
    let height: Int
    private var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * 3
        pixels[index] = color.0
        pixels[index + 1] = color.1
        pixels[index + 2] = color.2
    }

    /// Bresenham, two pixels thick.
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: (UInt8, UInt8, UInt8), thick: Bool = true) {
        var x = x0
        var y = y0
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            set(x, y, color)
            if thick { set(x, y + 1, color) }
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += sx
            }
            if doubled <= dx {
                error += dx
                y += sy
            }
        }
    }

    /// Draws the series in a frame with light grid lines (quarters of the range); y starts at 0.
    static func draw(_ series: [Series], width: Int = 720, height: Int = 300) -> PNGChart {
        var chart = PNGChart(width: width, height: height)
        let left = 10
        let right = width - 10
        let top = 10
        let bottom = height - 10
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        let minX = xs.min() ?? 0
        let maxX = max((xs.max() ?? 1), minX + 1e-9)
        let maxY = max(ys.max() ?? 1, 1e-9) * 1.1
        func px(_ x: Double) -> Int { left + Int((x - minX) / (maxX - minX) * Double(right - left)) }
        func py(_ y: Double) -> Int { bottom - Int(y / maxY * Double(bottom - top)) }
        for quarter in 1...3 {
            let y = top + (bottom - top) * quarter / 4
            chart.line(left, y, right, y, (225, 225, 225), thick: false)
        }
        chart.line(left, top, left, bottom, (90, 90, 90), thick: false)
        chart.line(left, bottom, right, bottom, (90, 90, 90), thick: false)
        for line in series {
            for (a, b) in zip(line.points, line.points.dropFirst()) {
                chart.line(px(a.x), py(a.y), px(b.x), py(b.y), line.color)
            }
            if line.points.count == 1, let only = line.points.first { chart.line(px(only.x) - 2, py(only.y), px(only.x) + 2, py(only.y), line.color) }
        }
        return chart
    }

    /// The PNG file: signature, IHDR (8-bit RGB), IDAT (zlib, stored blocks), IEND.
    func png() -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * 3 + 1))
        for row in 0..<height {
            raw.append(0)  // filter: none
            raw += pixels[(row * width * 3)..<((row + 1) * width * 3)]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let size = min(65_535, raw.count - offset)
            let last: UInt8 = offset + size == raw.count ? 1 : 0
            zlib += [last, UInt8(size & 0xFF), UInt8(size >> 8), UInt8(~size & 0xFF), UInt8((~size >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + size)]
            offset += size
        } while offset < raw.count
        zlib += Self.bigEndian(Self.adler32(raw))

        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ body: [UInt8]) {
            let typed = Array(type.utf8) + body
            file += Self.bigEndian(UInt32(body.count))
            file += typed
            file += Self.bigEndian(Self.crc32(typed))
        }
        chunk("IHDR", Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        chunk("IDAT", zlib)
        chunk("IEND", [])
        return file
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
