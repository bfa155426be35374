import CProcessControl
import Common
import Foundation
import Synchronization

/// A started child: its pid and our ends of its stdin, stdout and stderr.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// Written by the supervisor (credentials, commands); closing it tells the child to exit.
    let stdin: ChildInput
    let stdoutFD: Int32
    let stderrFD: Int32

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `executable` with `arguments` and exactly `environment` (nothing of ours leaks),
    /// under `identity`'s uid and gid when given, from the long-lived spawn thread.
    /// `openFiles` > 0 limits its open files (RLIMIT_NOFILE) when it starts under `identity`
    /// (otherwise the caller sets it with `prlimit`).
    static func spawn(executable: String, arguments: [String], environment: [String: String], identity: Identity? = nil, openFiles: Int = 0) throws -> ChildProcess {
        try SpawnThread.shared.run {
            try spawnHere(executable: executable, arguments: arguments, environment: environment, identity: identity, openFiles: openFiles)
        }
    }

    private static func spawnHere(executable: String, arguments: [String], environment: [String: String], identity: Identity?, openFiles: Int) throws -> ChildProcess {
        let stdinPipe = try makePipe()
        let stdoutPipe = try makePipe()
        let stderrPipe = try makePipe()
        let childEnds = [stdinPipe.read, stdoutPipe.write, stderrPipe.write]
        defer { childEnds.forEach { close($0) } }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = if let identity {
            cpc_spawn_as(executable, argv, envp, stdinPipe.read, stdoutPipe.write, stderrPipe.write, identity.uid, identity.gid, UInt(max(0, openFiles)), &pid)
        } else {
            cpc_spawn(executable, argv, envp, stdinPipe.read, stdoutPipe.write, stderrPipe.write, &pid)
        }
        guard rc == 0 else {
            [stdinPipe.write, stdoutPipe.read, stderrPipe.read].forEach { close($0) }
            let who = identity.map { " as \($0)" } ?? ""
            throw SpawnError(description: "cannot start \(executable)\(who): \(String(cString: strerror(rc)))")
        }
        // Writes to a child that stopped reading must never block the supervisor; a 1 MiB pipe
        // (F_SETPIPE_SZ) holds a worker's first lines, its history included.
        _ = fcntl(stdinPipe.write, F_SETFL, fcntl(stdinPipe.write, F_GETFL) | O_NONBLOCK)
        _ = fcntl(stdinPipe.write, 1031 /* F_SETPIPE_SZ */, Int32(ChildProcess.stdinCapacity))
        return ChildProcess(pid: pid, stdin: ChildInput(fd: stdinPipe.write), stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard cpc_pipe_cloexec(&fds) == 0 else {
            throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    static let stdinCapacity = 1 << 20

    /// Writes one line to the child's stdin. `false` when the child cannot take it now (its pipe
    /// is full because it stopped reading, or it is gone).
    func send(line: String) -> Bool { stdin.write(Array((line + "\n").utf8)) }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    func closeStdin() { stdin.close() }

    /// How a child ended, in words for the dashboard: `exit 0`, `exit 3`, `signal 9 (SIGKILL)`.
    static func describeExit(code: Int32, signal: Int32) -> String {
        if signal != 0 {
            let name = [1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"][Int(signal)]
            return "signal \(signal)\(name.map { " (\($0))" } ?? "")"
        }
        return "exit \(code)"
    }
}

/// Our end of a child's stdin, shared by every copy of its ``ChildProcess``: closed once, and
/// never written after. The copies live in slots that stop a child (close) and reap it (close
/// again); a second `close` of the bare number closed whatever the process had opened under it
/// since — once a PostgreSQL connection's socket, which crashed the supervisor at its next write.
final class ChildInput: Sendable {
    private let fd: Mutex<Int32?>

    init(fd: Int32) { self.fd = Mutex(fd) }

    /// `false` when the child cannot take it now (its pipe is full because it stopped reading,
    /// or it is gone) or its stdin is closed.
    func write(_ bytes: [UInt8]) -> Bool {
        fd.withLock { fd in
            guard let fd else { return false }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    func close() {
        fd.withLock { fd in
            if let open = fd { _ = Glibc.close(open) }
            fd = nil
        }
    }
}
