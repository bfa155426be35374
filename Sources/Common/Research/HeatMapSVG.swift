import Foundation

extension StudyReport.HeatMap {
    /// The map as an SVG picture: a cell per (x, y) coloured from red (the lowest objective)
    /// through yellow to green (the highest), grey where no set had a figure; the axes name the
    /// parameters with their first, middle and last values; every cell carries its figure as a
    /// tooltip.
    public func svg(objective: String) -> String {
        let cell = 18.0
        let left = 70.0
        let top = 24.0
        let width = left + Double(xs.count) * cell + 20
        let height = top + Double(ys.count) * cell + 46
        let figures = values.flatMap { $0 }.compactMap { $0 }
        let low = figures.min() ?? 0
        let high = figures.max() ?? 0
        func label(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e12 ? String(Int64(v)) : String(format: "%.4g", v) }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        func colour(_ v: Double) -> String {
            let t = high > low ? (v - low) / (high - low) : 1
            let red = t < 0.5 ? 220 : Int(220 - (t - 0.5) * 2 * 180)
            let green = t < 0.5 ? Int(60 + t * 2 * 160) : 220
            return "rgb(\(red),\(green),60)"
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\""
        out += " aria-label=\"\(escape(objective)) over \(escape(x)) and \(escape(y))\">"
        out += "<text x=\"\(Int(left))\" y=\"14\" font-size=\"12\">\(escape(objective)): \(label(low)) (red) to \(label(high)) (green)</text>"
        for (row, yValue) in ys.enumerated() {
            // The highest y at the top.
            let py = top + Double(ys.count - 1 - row) * cell
            for (column, xValue) in xs.enumerated() {
                let px = left + Double(column) * cell
                let value = values[row][column]
                let fill = value.map(colour) ?? "#ddd"
                let tip = "\(x)=\(label(xValue)), \(y)=\(label(yValue)): " + (value.map { String(format: "%.4f", $0) } ?? "no figure")
                out += "<rect x=\"\(Int(px))\" y=\"\(Int(py))\" width=\"\(Int(cell) - 1)\" height=\"\(Int(cell) - 1)\" fill=\"\(fill)\"><title>\(escape(tip))</title></rect>"
            }
        }
        for index in Set([0, xs.count / 2, xs.count - 1]).sorted() {
            let px = left + Double(index) * cell + cell / 2
            out += "<text x=\"\(Int(px))\" y=\"\(Int(top + Double(ys.count) * cell + 14))\" font-size=\"10\" text-anchor=\"middle\">\(label(xs[index]))</text>"
        }
        for index in Set([0, ys.count / 2, ys.count - 1]).sorted() {
            let py = top + Double(ys.count - 1 - index) * cell + cell / 2 + 4
            out += "<text x=\"\(Int(left - 4))\" y=\"\(Int(py))\" font-size=\"10\" text-anchor=\"end\">\(label(ys[index]))</text>"
        }
        out += "<text x=\"\(Int(left + Double(xs.count) * cell / 2))\" y=\"\(Int(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(escape(x))</text>"
        out += "<text x=\"12\" y=\"\(Int(top + Double(ys.count) * cell / 2))\" font-size=\"12\" transform=\"rotate(-90 12 \(Int(top + Double(ys.count) * cell / 2)))\" text-anchor=\"middle\">\(escape(y))</text>"
        out += "</svg>"
        return out
    }
}
