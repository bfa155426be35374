import Common
import Foundation
import Hummingbird

/// The operator's console, for administrators only (everyone else gets 404, as if it did not
/// exist): `/admin` (every account with its state, second factor, last sign-in, bots and worker;
/// disable or enable an account), `/admin/audit` (everyone's audit trail, and its CSV), and
/// `/api/v1/admin/users…` (an admin token's scope). Nothing here shows a secret, a token or a
/// password hash, and an administrator cannot sign in as a user.
struct AdminController {
    let database: CentralDatabase
    let control: ControlClient
    let audit: AuditTrail
    /// The exchange's request weight limit per minute, which each worker's use is shown against.
    let weightLimit: Int

    func register(on routes: WebRoutes) {
        routes.pages.get("/admin") { request, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            let done = request.uri.queryParameters.get("done").flatMap { Self.notices.contains($0) ? t("admin.notice_\($0)") : nil }
            return page(context, notice: done)
        }
        routes.pages.get("/admin/audit") { request, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
            let entries = try read { try database.audit.entries(user: nil, beforeSeq: before, limit: ActivityController.pageSize) }
            return Reply.html(
                AuditPage.render(
                    entries, title: t("admin.audit_title"), active: "/admin", base: "/admin/audit", viewer: context.viewer,
                    zone: database.timeZone(of: context.user.id), everyone: true, full: entries.count == ActivityController.pageSize))
        }
        routes.pages.get("/admin/audit.csv") { _, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            return ActivityController.csv(try read { try ActivityController.export(database, user: nil) }, name: "audit")
        }
        for (action, disable) in [("disable", true), ("enable", false)] {
            routes.pages.post("/admin/users/:user_id/\(action)") { _, context -> Response in
                guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                do throws(APIError) {
                    try setDisabled(disable, reference: context.parameters.get("user_id") ?? "", context: context)
                    return Reply.redirect("/admin?done=user_\(action)d#users")
                } catch {
                    return page(context, error: error.pageMessage, status: error.status)
                }
            }
            routes.api.post("admin/users/:user_id/\(action)") { _, context -> Response in
                guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
                try setDisabled(disable, reference: context.parameters.get("user_id") ?? "", context: context)
                return Response(status: .noContent)
            }
        }
        routes.pages.post("/admin/kill-switch") { _, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                let on = context.form["state"] == "on"
                try await setKillSwitch(on, context: context)
                return Reply.redirect("/admin?done=kill_switch_\(on ? "on" : "off")")
            } catch {
                return page(context, error: error.pageMessage, status: error.status)
            }
        }
        routes.api.post("admin/kill-switch") { request, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            let body = try await JSONBody.read(request, user: context.user.id)
            let on = try body.bool("on", default: true)
            let workers = try await setKillSwitch(on, context: context)
            return Reply.json(.ok, KillSwitchResponse(on: on, workersStopped: workers))
        }
        routes.pages.post("/admin/policies") { _, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            let form = context.form
            do throws(APIError) {
                try setPolicies(
                    PlatformPolicies.parse(
                        maxOrder: form["max_order_usdt"], maxAllocation: form["max_allocation_usdt"], symbols: form["allowed_symbols"],
                        botsPerUser: form["bots_per_user"], paperOnly: form["paper_only_until_approved"] != nil), context: context)
                return Reply.redirect("/admin?done=policies#policies")
            } catch {
                return page(context, error: error.pageMessage, status: error.status)
            }
        }
        routes.api.get("admin/policies") { _, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            return Reply.json(.ok, PoliciesResponse(try database.policies()))
        }
        routes.api.put("admin/policies") { request, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            let body = try await JSONBody.read(request, user: context.user.id)
            func text(_ key: String) -> String? {
                switch body.fields[key] {
                case let number as NSNumber: number.stringValue
                case let string as String: string
                case let list as [Any]: list.map { "\($0)" }.joined(separator: ",")
                default: nil
                }
            }
            let policies = PlatformPolicies.parse(
                maxOrder: text("max_order_usdt"), maxAllocation: text("max_allocation_usdt"), symbols: text("allowed_symbols"),
                botsPerUser: text("bots_per_user"), paperOnly: try body.bool("paper_only_until_approved", default: false))
            try setPolicies(policies, context: context)
            return Reply.json(.ok, PoliciesResponse(try database.policies()))
        }
        for (action, approve) in [("approve", true), ("unapprove", false)] {
            routes.pages.post("/admin/users/:user_id/\(action)") { _, context -> Response in
                guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                do throws(APIError) {
                    try setApproved(approve, reference: context.parameters.get("user_id") ?? "", context: context)
                    return Reply.redirect("/admin?done=user_\(action)d#users")
                } catch {
                    return page(context, error: error.pageMessage, status: error.status)
                }
            }
            routes.api.post("admin/users/:user_id/\(action)") { _, context -> Response in
                guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
                try setApproved(approve, reference: context.parameters.get("user_id") ?? "", context: context)
                return Response(status: .noContent)
            }
        }
        routes.pages.post("/admin/signup-mode") { _, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                try setSignupMode(context.form["mode"] ?? "", context: context)
                return Reply.redirect("/admin?done=signup_mode#signup")
            } catch {
                return page(context, error: error.pageMessage, status: error.status)
            }
        }
        routes.api.post("admin/signup-mode") { request, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            let body = try await JSONBody.read(request, user: context.user.id)
            try setSignupMode(try body.string("mode"), context: context)
            return Response(status: .noContent)
        }
        routes.pages.post("/admin/invitations") { _, context -> Response in
            guard context.user.isAdmin else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                return page(context, notice: t("admin.invitation_made"), newInvitation: try invite(context: context))
            } catch {
                return page(context, error: error.pageMessage, status: error.status)
            }
        }
        routes.api.post("admin/invitations") { _, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            return Reply.json(.created, InvitationCreatedResponse(code: try invite(context: context)))
        }
        routes.api.get("admin/users") { _, context -> Response in
            guard context.user.isAdmin else { throw APIError.notFound("No such API endpoint.") }
            return Reply.json(.ok, AdminUserListResponse(items: try read { try overview() }.map(AdminUserResponse.init)))
        }
    }

    static let notices: Set<String> = [
        "user_disabled", "user_enabled", "kill_switch_on", "kill_switch_off", "signup_mode", "policies", "user_approved", "user_unapproved",
    ]

    func setPolicies(_ parsed: Result<PlatformPolicies, PlatformPolicies.Refusal>, context: SignedInContext) throws(APIError) {
        let policies: PlatformPolicies
        switch parsed {
        case .success(let value): policies = value
        case .failure(let refusal): throw APIError(.unprocessableContent, "invalid_policy", refusal.message)
        }
        try write { try database.platform.setPolicies(policies, by: context.user.username, at: Date()) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let detail = (try? encoder.encode(policies)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        audit.record(AuditAction.policiesChanged, user: nil, actor: context.actor, address: context.remoteAddress, detail: detail)
    }

    func setApproved(_ approve: Bool, reference: String, context: SignedInContext) throws(APIError) {
        guard let id = Int64(reference), let target = try read({ try database.users.user(UserID(id)) }) else { throw APIError.notFound("No such user.") }
        try write { try database.users.setApproved(at: approve ? Date() : nil, for: target.id) }
        audit.record(
            approve ? AuditAction.userApproved : AuditAction.userUnapproved, user: target.id, actor: context.actor, address: context.remoteAddress,
            detail: target.username)
    }

    func setSignupMode(_ text: String, context: SignedInContext) throws(APIError) {
        guard let mode = SignupMode(rawValue: text) else {
            throw APIError(.unprocessableContent, "invalid_mode", "The sign-up mode \"\(text)\" is not one of open, invite, closed.")
        }
        try write { try database.platform.set(PlatformSetting.signupMode, to: mode.rawValue, by: context.user.username, at: Date()) }
        audit.record(AuditAction.signupModeChanged, user: nil, actor: context.actor, address: context.remoteAddress, detail: mode.rawValue)
    }

    /// A new invitation code (used once; the database keeps its hash): shown this once.
    func invite(context: SignedInContext) throws(APIError) -> String {
        let code = RecoveryCodes.make()[0]
        try write { try database.platform.createInvitation(codeHash: SecureToken.storedForm(RecoveryCodes.normalized(code)), by: context.user.username, at: Date()) }
        audit.record(AuditAction.invitationCreated, user: nil, actor: context.actor, address: context.remoteAddress)
        return code
    }

    /// The platform's kill switch. On: stored first (every start is refused from then on), every
    /// bot marked not wanted (none comes back by itself when it is released), then every running
    /// worker told to stop its bots with their orders cancelled; returns how many workers were
    /// told. Off: starts are allowed again; the bots stay stopped until their users start them.
    @discardableResult
    func setKillSwitch(_ on: Bool, context: SignedInContext, now: Date = Date()) async throws(APIError) -> Int {
        try write { try database.platform.set(PlatformSetting.killSwitch, to: on ? "on" : nil, by: context.user.username, at: now) }
        audit.record(on ? AuditAction.killSwitchOn : AuditAction.killSwitchOff, user: nil, actor: context.actor, address: context.remoteAddress)
        guard on else { return 0 }
        try write {
            for user in try database.users.allUsers() {
                for bot in try database.bots.bots(for: user.id) where bot.wanted { _ = try database.bots.setWanted(bot.id, false, for: user.id, at: now) }
            }
        }
        return try await control.emergencyStopAll().workers
    }

    /// One account as the console shows it.
    struct UserRow {
        let user: StoredUser
        let secondFactor: Bool
        let lastSignIn: Date?
        let bots: Int
        let running: Int
        let worker: ProcessStatus?
        /// Today's PnL as the user's worker last reported it (nil: never reported).
        let todayPnL: (value: Decimal?, updatedAt: Date)?
    }

    func overview() throws -> [UserRow] {
        let signIns = try database.audit.lastSignIns()
        let processes = Dictionary(try database.processes.all().map { ($0.process, $0) }, uniquingKeysWith: { first, _ in first })
        return try database.users.allUsers().map { user in
            let bots = try database.bots.bots(for: user.id)
            let statuses = try database.bots.statuses(for: user.id)
            return UserRow(
                user: user, secondFactor: try database.secondFactors.factor(for: user.id)?.isEnabled ?? false, lastSignIn: signIns[user.id],
                bots: bots.count, running: statuses.values.filter { $0.state == "running" }.count,
                worker: processes[ProcessStatus.workerName(user.id)], todayPnL: try database.trading.todayPnL(for: user.id))
        }
    }

    /// Disables (its sessions end, its tokens are revoked, its worker stops at the supervisor's
    /// next pass) or enables an account. An administrator cannot disable their own.
    func setDisabled(_ disable: Bool, reference: String, context: SignedInContext) throws(APIError) {
        guard let id = Int64(reference), let target = try read({ try database.users.user(UserID(id)) }) else {
            throw APIError.notFound("No such user.")
        }
        if disable, target.id == context.user.id {
            throw APIError(.conflict, "own_account", "An administrator cannot disable their own account.")
        }
        guard target.isDisabled != disable else { return }
        let now = Date()
        try write {
            try database.users.setDisabled(at: disable ? now : nil, for: target.id)
            if disable {
                try database.sessions.deleteAll(of: target.id)
                _ = try database.apiTokens.revokeAll(user: target.id, at: now)
            }
        }
        audit.record(
            disable ? AuditAction.userDisabled : AuditAction.userEnabled, user: target.id, actor: context.actor, address: context.remoteAddress,
            detail: target.username)
    }

    func page(
        _ context: SignedInContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok, newInvitation: String? = nil
    ) -> Response {
        let zone = database.timeZone(of: context.user.id)
        var c: [String: Any] = ["csrf": context.viewer.csrfToken]
        if let newInvitation { c["newInvitation"] = newInvitation }
        if let policies = try? database.platform.policies() {
            c["policies"] = [
                "maxOrder": policies.maxOrderUsdt.map { DecimalText.format($0, places: 2) } ?? "",
                "maxAllocation": policies.maxAllocationUsdt.map { DecimalText.format($0, places: 2) } ?? "",
                "symbols": (policies.allowedSymbols ?? []).joined(separator: ", "), "botsPerUser": policies.botsPerUser.map(String.init) ?? "",
                "paperOnly": policies.paperOnlyUntilApproved,
            ] as [String: Any]
        } else {
            c["policiesUnreadable"] = t("admin.unreadable")
        }
        if let mode = try? database.platform.signupMode(), let invitations = try? database.platform.invitations() {
            let names = Dictionary(((try? database.users.allUsers()) ?? []).map { ($0.id, $0.username) }, uniquingKeysWith: { first, _ in first })
            c["signup"] = [
                "modes": SignupMode.allCases.map { ["value": $0.rawValue, "text": t("admin.signup_\($0.rawValue)"), "selected": $0 == mode] as [String: Any] },
                "invite": mode == .invite, "hasInvitations": !invitations.isEmpty,
                "invitations": invitations.prefix(50).map { invitation -> [String: Any] in
                    [
                        "created": DisplayTime.text(invitation.createdAt, zone), "by": invitation.createdBy,
                        "state": invitation.usedAt.map { used in
                            t("admin.invitation_used", ["time": DisplayTime.text(used, zone), "name": invitation.usedBy.flatMap { names[$0] } ?? "—"])
                        } ?? t("admin.invitation_unused"),
                    ]
                },
            ]
        }
        if let halted = try? database.platform.isHalted() {
            c[halted ? "halted" : "running"] = true
        } else {
            c["haltUnknown"] = true
        }
        do {
            c["users"] = try overview().map { row -> [String: Any] in
                [
                    "id": String(row.user.id.rawValue), "name": row.user.username, "admin": row.user.isAdmin, "isViewer": row.user.id == context.user.id,
                    "disabled": row.user.isDisabled, "approved": row.user.approvedAt != nil, "adminRow": row.user.isAdmin,
                    "approval": row.user.isApproved ? t("admin.approved") : t("admin.awaiting_approval"),
                    "state": row.user.disabledAt.map { t("admin.disabled_since", ["time": DisplayTime.text($0, zone)]) } ?? t("admin.enabled"),
                    "twofa": t(row.secondFactor ? "admin.twofa_on" : "admin.twofa_off"),
                    "signin": row.lastSignIn.map { DisplayTime.text($0, zone) } ?? t("admin.never"),
                    "bots": t("admin.bots_count", ["n": String(row.bots), "running": String(row.running)]),
                    "pnl": row.todayPnL.map { pnl in pnl.value.map { USDTFormat.signed($0) } ?? t("admin.pnl_unknown") } ?? t("admin.pnl_not_reported"),
                    "worker": row.worker.map { worker in
                        t(worker.crashLoop ? "admin.worker_crash_loop" : "admin.worker_state", ["state": worker.state.rawValue, "n": String(worker.restarts)])
                    } ?? t("admin.no_worker"),
                ]
            }
            c["processes"] = try database.processes.all().map { process -> [String: Any] in
                let running = process.state == .running
                return [
                    "name": process.process, "state": process.state.rawValue, "restarts": String(process.restarts),
                    "memory": running ? process.residentBytes.map { t("admin.memory_mb", ["n": String($0 / 1_048_576)]) } ?? t("admin.not_read") : "—",
                    "weight": process.weightUsed.map { t("admin.weight_of", ["n": String($0), "limit": String(weightLimit)]) } ?? "—",
                    "crashLoop": process.crashLoop,
                ]
            }
        } catch {
            c["unreadable"] = t("admin.unreadable")
        }
        if let notice { c["notice"] = notice }
        if let error { c["error"] = error }
        return Reply.html(Layout.page(title: t("admin.title"), active: "/admin", viewer: context.viewer, freshness: nil, content: Views.render("admin", c)), status: status)
    }
}

struct AdminUserListResponse: Encodable, Sendable {
    let items: [AdminUserResponse]
}

struct AdminUserResponse: Encodable, Sendable {
    let id: Int64
    let username: String
    let isAdmin: Bool
    @Nullable var disabledAt: Date?
    let secondFactor: Bool
    @Nullable var lastSignInAt: Date?
    let bots: Int
    let botsRunning: Int
    @Nullable var workerState: String?
    let workerRestarts: Int
    let crashLoop: Bool
    /// Today's PnL in USDT as the worker last reported it; null: not reported (or unknown).
    @Nullable var todayPnlUsdt: String?

    init(_ row: AdminController.UserRow) {
        id = row.user.id.rawValue
        username = row.user.username
        isAdmin = row.user.isAdmin
        disabledAt = row.user.disabledAt
        secondFactor = row.secondFactor
        lastSignInAt = row.lastSignIn
        bots = row.bots
        botsRunning = row.running
        workerState = row.worker?.state.rawValue
        workerRestarts = row.worker?.restarts ?? 0
        crashLoop = row.worker?.crashLoop ?? false
        todayPnlUsdt = row.todayPnL?.value.map { DecimalText.format($0, places: 2) }
    }
}

struct KillSwitchResponse: Encodable, Sendable {
    let on: Bool
    let workersStopped: Int
}

struct InvitationCreatedResponse: Encodable, Sendable {
    let code: String
}

/// The policies as the API answers them: amounts as decimal strings, null for no limit.
struct PoliciesResponse: Encodable, Sendable {
    @Nullable var maxOrderUsdt: String?
    @Nullable var maxAllocationUsdt: String?
    let allowedSymbols: [String]
    @Nullable var botsPerUser: Int?
    let paperOnlyUntilApproved: Bool

    init(_ policies: PlatformPolicies) {
        maxOrderUsdt = policies.maxOrderUsdt.map { DecimalText.format($0, places: 2) }
        maxAllocationUsdt = policies.maxAllocationUsdt.map { DecimalText.format($0, places: 2) }
        allowedSymbols = policies.allowedSymbols ?? []
        botsPerUser = policies.botsPerUser
        paperOnlyUntilApproved = policies.paperOnlyUntilApproved
    }
}
