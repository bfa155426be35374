import Common
import Foundation

/// How to start one supervised process.
struct ChildSpec: Sendable {
    let name: String
    let userID: UserID?
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    /// The uid and gid it runs under; nil: the supervisor's.
    let identity: Identity?
    /// Where the child's stderr (its JSON log lines) goes.
    let log: RotatingFile

    var isWorker: Bool { userID != nil }
}

/// One supervised process and everything the supervisor knows of it.
struct ChildSlot {
    var spec: ChildSpec
    var policy: RestartPolicy
    var status: ProcessStatus
    var process: ChildProcess?
    var readers: [LineReader] = []
    /// Whether it should be running; `false` once it is being stopped for good.
    var wanted = true
    var restartAt: Date?
    var stopRequestedAt: Date?
    /// Why the supervisor killed the current process (heartbeat), for the exit status.
    var killReason: String?
    /// The exchange-key revision a worker was started with.
    var keyRevision: Int64?
    /// Start again at once, without counting a failure (a replaced key).
    var restartWithoutPenalty = false
    /// Several hosts: the epoch of this host's lease on the user when the worker was started;
    /// its reports and statuses are written fenced by it.
    var leaseEpoch: Int64?
    /// Why a worker is stopped for good, when not for want of a key (its user moved host).
    var stopReason: String?
    /// When the child's resident memory was last recorded in its status.
    var memorySampledAt: Date?
    /// When a worker's resident memory was last read.
    var memoryCheckedAt: Date?
    var dirty = true

    /// A worker claimed or started here that has neither sent a heartbeat nor exited yet: its
    /// first start is still under way (``LeasePlan``'s start limit).
    var isFirstStart: Bool { spec.isWorker && wanted && status.lastHeartbeatAt == nil && status.lastExitAt == nil }

    init(spec: ChildSpec, policy: RestartPolicy) {
        self.spec = spec
        self.policy = policy
        status = ProcessStatus(process: spec.name, userID: spec.userID, state: .starting)
    }
}
