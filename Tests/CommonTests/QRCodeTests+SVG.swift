import Testing

@testable import Common

extension QRCodeTests {
    @Suite struct SVG {
        @Test func theSVGIsOneSelfContainedPathWithAQuietZone() throws {
            let code = try QRCode.encode(QRCodeTests.enrolmentURI)
            let svg = code.svg(pixelsPerModule: 5)
            let side = code.size + 8
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(svg.hasSuffix("</svg>"))
            #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
            #expect(svg.contains("width=\"\(side * 5)\" height=\"\(side * 5)\""))
            #expect(svg.contains("shape-rendering=\"crispEdges\""))
            #expect(svg.components(separatedBy: "<path").count == 2)
            for reference in ["href", "url(", "<image", "<script", "<style", "@import"] {
                #expect(!svg.contains(reference), "\(reference)")
            }
            // Well-formed: every element closes, nothing but the three elements appear.
            #expect(svg.components(separatedBy: "<").count - 1 == 4)
            #expect(svg.components(separatedBy: "/>").count - 1 == 2)
        }

        @Test func thePathPaintsExactlyTheDarkModulesShiftedByTheQuietZone() throws {
            let code = try QRCode.encode("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", level: .quartile)
            var painted = Set<[Int]>()
            for rectangle in code.pathData.split(separator: "z") {
                // "Mx,yhNv1h-N"
                let numbers = rectangle.dropFirst().split(whereSeparator: { ",hv".contains($0) }).map { Int($0)! }
                try #require(numbers.count == 5 && numbers[3] == 1 && numbers[4] == -numbers[2], "\(rectangle)")
                for dx in 0..<numbers[2] { painted.insert([numbers[0] + dx - 4, numbers[1] - 4]) }
            }
            var dark = Set<[Int]>()
            for y in 0..<code.size { for x in 0..<code.size where code[x, y] { dark.insert([x, y]) } }
            #expect(painted == dark)
        }
    }
}
