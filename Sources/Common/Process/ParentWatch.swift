import CProcessControl
import Foundation

/// Makes a child process end with its supervisor. The kernel sends SIGTERM when the parent
/// dies (`PR_SET_PDEATHSIG`); because that fires when the spawning *thread* exits, and not on
/// every system, each child also exits when its stdin reaches end of file.
public enum ParentWatch {
    /// - Parameter expectedParent: the supervisor's pid; when it is already gone (the parent is
    ///   now someone else), the process exits at once.
    ///   Without one (started by hand or by a test) nothing is installed: the death signal follows
    ///   the *thread* that spawned the process, and a test's or a shell's threads come and go (a
    ///   simulator started from a test's thread pool was killed when that thread retired).
    public static func install(expectedParent: pid_t?) {
        guard let expectedParent else { return }
        _ = cpc_set_parent_death_signal(SIGTERM)
        if getppid() != expectedParent {
            exit(0)
        }
    }

    /// The supervisor's pid, from `TRADER_SUPERVISOR_PID` (not a secret).
    public static var supervisorPID: pid_t? {
        ProcessInfo.processInfo.environment["TRADER_SUPERVISOR_PID"].flatMap { pid_t($0) }
    }
}

extension ParentWatch {
    /// For children that take no input: a thread that reads stdin and exits the process at end
    /// of file, which is how the supervisor's death shows when the death signal did not come.
    public static func exitOnStandardInputEnd() {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(0, &buffer, buffer.count)
                // `_exit`, not `exit`: no atexit handler or stdio flush that another thread could
                // hold up; the supervisor is gone and every file is crash-safe.
                if count == 0 || (count < 0 && errno != EINTR) { _exit(0) }
            }
        }
        thread.start()
    }
}

extension ParentWatch {
    /// Tells the supervisor (on stdout) that this service is listening.
    public static func reportReady() {
        StreamWriter.standardOutput.write(WorkerReport.heartbeat(state: "ready").line() + "\n")
    }
}
