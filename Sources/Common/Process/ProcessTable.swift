import Foundation

/// Reads /proc: who is a child of whom, what each runs, whether it is alive, and what it
/// costs (resident memory, CPU time). Used by the tests and the benchmarks.
public enum ProcessTable {
    public struct Entry: Equatable, Sendable {
        public let pid: pid_t
        public let parent: pid_t
        public let state: Character
        public let arguments: [String]

        /// `web`, `worker`, `exchange-sim`, `supervisor`, … (the executable's file name).
        public var program: String { arguments.first.map { ($0 as NSString).lastPathComponent } ?? "" }
    }

    public static func entry(_ pid: pid_t) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return Entry(pid: pid, parent: parent, state: state, arguments: arguments)
    }

    public static func all() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(entry)
    }

    public static func children(of parent: pid_t) -> [Entry] {
        all().filter { $0.parent == parent && $0.state != "Z" }
    }

    /// Alive: exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let entry = entry(pid) else { return false }
        return entry.state != "Z"
    }

    /// Every live process whose arguments mention `text` (a test's data directory).
    public static func mentioning(_ text: String) -> [Entry] {
        all().filter { $0.state != "Z" && $0.arguments.contains { $0.contains(text) } }
    }
}

extension ProcessTable {
    /// Resident memory in bytes (`VmRSS`), nil when the process is gone.
    public static func residentBytes(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// Proportional set size in bytes (`Pss` of smaps_rollup): resident memory with each shared
    /// page divided among the processes that map it — what a process really costs.
    public static func proportionalBytes(_ pid: pid_t) -> Int? {
        guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8),
            let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Pss:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// User plus system CPU time consumed so far, in seconds.
    public static func cpuSeconds(_ pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
