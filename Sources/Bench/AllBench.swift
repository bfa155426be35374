import ArgumentParser
import Common
import Foundation

/// `make bench`: every benchmark run `--runs` times, one after the other, and one table of every
/// figure: the median over the runs with its spread (lowest–highest), its target, and its
/// reference measured in the same runs. A figure whose text holds several numbers
/// ("0.59 / 0.70 ms") gets a median and spread for each. Kept as `var/bench/summary-<time>.md`
/// (and `summary-latest.md`), which the README quotes.
struct AllBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Every benchmark, repeated, in one table of medians and spreads.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Runs of every benchmark.")
    var runs: Int = 3
    @Option(help: "Python with numpy, pandas, scikit-learn and backtesting.py, for the references.")
    var python: String?
    @Option(help: "Benchmarks to run, comma-separated.")
    var only: String = "bench,sim,orders,accounts,trading,bots,scale,hosts,hooks,notify,dashboard,models"

    func run() async throws {
        let names = only.split(separator: ",").map(String.init)
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var results: [String: [[String: String]]] = [:]
        var order: [String] = []
        for run in 1...max(1, runs) {
            // The order changes from run to run, so that no benchmark always follows the same one.
            let rotated = Array(names[(run - 1) % names.count..<names.count] + names[0..<(run - 1) % names.count])
            for name in rotated {
                print("== \(name), run \(run) of \(runs)")
                fflush(nil)  // before the child's own output, also into a log
                var arguments = [name, "--bin-dir", binDir]
                if name == "models", let python { arguments += ["--python", python] }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: me)
                process.arguments = arguments
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0,
                    let data = FileManager.default.contents(atPath: "var/bench/\(name)-latest.json"),
                    let rows = try? JSONSerialization.jsonObject(with: data) as? [[String: String]]
                else {
                    print("== \(name) failed (exit \(process.terminationStatus)); its figures are missing from run \(run)")
                    continue
                }
                try? FileManager.default.removeItem(atPath: "var/bench/\(name)-latest.json")
                for row in rows {
                    let key = name + "\u{1F}" + (row["figure"] ?? "")
                    if results[key] == nil { order.append(key) }
                    results[key, default: []].append(row)
                }
            }
        }
        var table: [(String, String, String, String)] = []
        for key in order {
            let rows = results[key] ?? []
            guard let last = rows.last else { continue }
            table.append((last["figure"] ?? "", Self.summarize(rows.compactMap { $0["measured"] }), last["target"] ?? "", Self.summarize(rows.compactMap { $0["reference"] })))
        }
        print(Report.table(table))
        let machine = Self.machine()
        var markdown = "Measured by `make bench` on \(Timestamp.string(Date()).prefix(10)), \(machine); release build; "
        markdown += "each figure the median of \(runs) runs, [lowest–highest] beside it.\n\n| figure | measured | target | reference |\n|---|---|---|---|\n"
        for row in table {
            markdown += "| \(row.0.replacingOccurrences(of: "|", with: "/")) | \(row.1) | \(row.2) | \(row.3.replacingOccurrences(of: "|", with: "/")) |\n"
        }
        try FileManager.default.createDirectory(atPath: "var/bench", withIntermediateDirectories: true)
        try markdown.write(toFile: "var/bench/summary-\(Timestamp.string(Date())).md", atomically: true, encoding: .utf8)
        try markdown.write(toFile: "var/bench/summary-latest.md", atomically: true, encoding: .utf8)
        print("saved var/bench/summary-latest.md")
    }

    /// "1 234.5" and "0.59" out of a text, with where they are.
    static func numbers(_ text: String) -> [(Range<String.Index>, Double)] {
        let regex = try! NSRegularExpression(pattern: #"-?\d[\d,]*(?:\.\d+)?"#)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let range = Range(match.range, in: text), let value = Double(text[range].replacingOccurrences(of: ",", with: "")) else { return nil }
            return (range, value)
        }
    }

    /// The runs' texts as one: each number replaced by the median and the spread of that number
    /// across the runs, when every run's text has the same words; otherwise the last run's text.
    static func summarize(_ texts: [String]) -> String {
        guard let last = texts.last else { return "—" }
        guard texts.count > 1 else { return last }
        let parsed = texts.map { numbers($0) }
        func skeleton(_ text: String) -> String { text.replacingOccurrences(of: #"-?\d[\d,]*(?:\.\d+)?"#, with: "#", options: .regularExpression) }
        guard Set(texts.map(skeleton)).count == 1, let template = parsed.last, !template.isEmpty else { return last }
        var result = last
        for index in template.indices.reversed() {
            let values = parsed.map { $0[index].1 }.sorted()
            let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
            let original = String(last[template[index].0])
            let decimals = original.split(separator: ".").dropFirst().first?.count ?? 0
            func format(_ value: Double) -> String { String(format: "%.\(decimals)f", value) }
            let text = values.first == values.last ? format(median) : "\(format(median)) [\(format(values.first!))–\(format(values.last!))]"
            result.replaceSubrange(template[index].0, with: text)
        }
        return result
    }

    static func machine() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(cores) cores (\(model)), \(String(format: "%.0f", memory)) GiB"
    }
}
