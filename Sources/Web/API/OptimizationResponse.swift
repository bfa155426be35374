import Common
import Foundation

/// An optimisation (`/api/v1/optimizations`): its state, its progress while it runs, and its
/// report when done.
struct OptimizationResponse: Encodable {
    struct Progress: Encodable {
        let done: Int
        let total: Int
        let phase: String
        @Nullable var best: [String: Double]?
        @Nullable var bestScore: Double?
    }

    let id: String
    let status: String
    let strategy: String
    let symbol: String
    let createdAt: Date
    @Nullable var finishedAt: Date?
    @Nullable var progress: Progress?
    @Nullable var error: String?
    /// The request as it was asked (JSON).
    let request: String
    @Nullable var report: StudyReport?

    init(_ record: OptimizationRecord, progress: OptimizationControl.Progress?, withReport: Bool = false) {
        id = record.id
        status = record.status.rawValue
        strategy = record.strategy
        symbol = record.symbol
        createdAt = record.createdAt
        finishedAt = record.finishedAt
        self.progress = progress.map { Progress(done: $0.done, total: $0.total, phase: $0.phase, best: $0.best, bestScore: $0.bestScore) }
        error = record.error
        request = record.request
        report = withReport ? record.report.flatMap { try? WireJSON.decoder.decode(StudyReport.self, from: Data($0.utf8)) } : nil
    }
}

struct OptimizationListResponse: Encodable {
    let optimizations: [OptimizationResponse]
}
