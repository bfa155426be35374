extension QRCode {
    /// Light modules the standard asks for around the symbol.
    static let quietZone = 4

    /// A standalone SVG: a white background and one `<path>` of the dark modules, a 4-module
    /// quiet zone, `viewBox` in modules and `pixelsPerModule` pixels per module. It references
    /// nothing outside itself, so it can be inlined in a page under a strict CSP.
    public func svg(pixelsPerModule: Int = 4) -> String {
        let side = size + 2 * Self.quietZone
        let pixels = side * max(pixelsPerModule, 1)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(pathData)"/></svg>
            """
    }

    /// One rectangle per horizontal run of dark modules, which keeps the path a few times
    /// shorter than one square per module.
    var pathData: String {
        var parts: [String] = []
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else {
                    x += 1
                    continue
                }
                let start = x
                while x < size, self[x, y] { x += 1 }
                parts.append("M\(start + Self.quietZone),\(y + Self.quietZone)h\(x - start)v1h-\(x - start)z")
            }
        }
        return parts.joined()
    }
}
