import Common
import Foundation

/// Prints figures as a table and keeps them under `var/bench/`: as text, and as the JSON the
/// whole-bench driver (``AllBench``) gathers from every run.
enum Report {
    static func table(_ rows: [(String, String, String, String)]) -> String {
        let header = ("figure", "measured", "target", "reference")
        let all = [header] + rows
        let widths = [all.map(\.0.count).max()!, all.map(\.1.count).max()!, all.map(\.2.count).max()!]
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return all.map { "\(pad($0.0, widths[0]))  \(pad($0.1, widths[1]))  \(pad($0.2, widths[2]))  \($0.3)" }.joined(separator: "\n")
    }

    static func save(_ rows: [(String, String, String, String)], name: String) throws {
        try FileManager.default.createDirectory(atPath: "var/bench", withIntermediateDirectories: true)
        let path = "var/bench/\(name)-\(Timestamp.string(Date())).txt"
        try (table(rows) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let json = rows.map { ["figure": $0.0, "measured": $0.1, "target": $0.2, "reference": $0.3] }
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: "var/bench/\(name)-latest.json"))
        print("saved \(path)")
    }
}
