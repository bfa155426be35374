import Foundation

/// Reads /proc: who is a child of whom, what each runs, whether it is alive.
enum ProcessTable {
    struct Entry: Equatable {
        let pid: pid_t
        let parent: pid_t
        let state: Character
        let arguments: [String]

        /// `web`, `worker`, `exchange-sim`, `supervisor`, … (the executable's file name).
        var program: String { arguments.first.map { ($0 as NSString).lastPathComponent } ?? "" }
    }

    static func entry(_ pid: pid_t) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return Entry(pid: pid, parent: parent, state: state, arguments: arguments)
    }

    static func all() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(entry)
    }

    static func children(of parent: pid_t) -> [Entry] {
        all().filter { $0.parent == parent && $0.state != "Z" }
    }

    /// Alive: exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let entry = entry(pid) else { return false }
        return entry.state != "Z"
    }

    /// Every live process whose arguments mention `text` (a test's data directory).
    static func mentioning(_ text: String) -> [Entry] {
        all().filter { $0.state != "Z" && $0.arguments.contains { $0.contains(text) } }
    }
}
