import Common
import Foundation
import Hummingbird

/// A user's own audit trail: `/settings/activity` (newest first, 100 a page), its CSV
/// (`/settings/activity.csv`) and `GET /api/v1/activity`.
struct ActivityController {
    let database: CentralDatabase

    static let pageSize = 100
    /// Rows a CSV export holds at most.
    static let exportLimit = 100_000

    func register(on routes: WebRoutes) {
        routes.pages.get("/settings/activity") { request, context -> Response in
            let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
            let entries = try read { try database.audit.entries(user: context.user.id, beforeSeq: before, limit: Self.pageSize) }
            return Reply.html(
                AuditPage.render(
                    entries, title: t("activity.title"), active: "/settings", base: "/settings/activity", viewer: context.viewer,
                    zone: database.timeZone(of: context.user.id), everyone: false, full: entries.count == Self.pageSize))
        }
        routes.pages.get("/settings/activity.csv") { _, context -> Response in
            Self.csv(try read { try Self.export(database, user: context.user.id) }, name: "activity")
        }
        routes.api.get("activity") { request, context -> Response in
            let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
            let entries = try read { try database.audit.entries(user: context.user.id, beforeSeq: before, limit: Self.pageSize) }
            return Reply.json(.ok, AuditListResponse(items: entries.map(AuditEntryResponse.init)))
        }
    }

    /// Every row of one user (nil: everyone), oldest first, up to ``exportLimit``.
    static func export(_ database: CentralDatabase, user: UserID?) throws -> [AuditEntry] {
        var rows: [AuditEntry] = []
        var before: Int64?
        while rows.count < exportLimit {
            let page = try database.audit.entries(user: user, beforeSeq: before, limit: 5_000)
            rows += page
            guard let last = page.last, page.count == 5_000 else { break }
            before = last.seq
        }
        return rows.prefix(exportLimit).reversed()
    }

    static func csv(_ entries: [AuditEntry], name: String) -> Response {
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: AuditCSV.document(entries))))
        response.headers[.contentType] = "text/csv; charset=utf-8"
        response.headers[.contentDisposition] = "attachment; filename=\"\(name).csv\""
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

struct AuditListResponse: Encodable, Sendable {
    let items: [AuditEntryResponse]
}

struct AuditEntryResponse: Encodable, Sendable {
    let seq: Int64
    let at: Date
    @Nullable var userId: Int64?
    let actor: String
    @Nullable var address: String?
    let action: String
    let detail: String

    init(_ entry: AuditEntry) {
        seq = entry.seq
        at = entry.record.at
        userId = entry.record.userID?.rawValue
        actor = entry.record.actor
        address = entry.record.address
        action = entry.record.action
        detail = entry.record.detail
    }
}

/// The audit trail's table: a user's own (`/settings/activity`) or everyone's (`/admin/audit`).
enum AuditPage {
    static func render(
        _ entries: [AuditEntry], title: String, active: String, base: String, viewer: Layout.Viewer, zone: TimeZone, everyone: Bool, full: Bool
    ) -> String {
        var c: [String: Any] = [
            "title": title, "csv": base + ".csv", "everyone": everyone, "hint": t(everyone ? "admin.audit_hint" : "activity.hint"),
            "rows": entries.map { entry -> [String: Any] in
                [
                    "seq": String(entry.seq), "time": DisplayTime.text(entry.record.at, zone), "actor": entry.record.actor,
                    "user": entry.record.userID.map { String($0.rawValue) } ?? "—", "address": entry.record.address ?? t("activity.no_address"),
                    "action": entry.record.action, "detail": entry.record.detail,
                ]
            },
        ]
        if entries.isEmpty { c["empty"] = true }
        if full, let last = entries.last { c["older"] = base + "?before=\(last.seq)" }
        return Layout.page(title: title, active: active, viewer: viewer, freshness: nil, content: Views.render("activity", c))
    }
}
