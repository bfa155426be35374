import Common
import Foundation
import Logging

/// Appends to the audit log (``AuditLogStore``) for the web. An append that fails is logged and
/// does not fail the user's action: the action happened, and the log says the record is missing.
struct AuditTrail: Sendable {
    let store: any AuditLogStore
    let logger: Logger

    func record(_ action: String, user: UserID?, actor: String, address: String?, detail: String = "", at: Date = Date()) {
        do {
            try store.append(AuditRecord(at: at, userID: user, actor: actor, address: address, action: action, detail: detail))
        } catch {
            logger.error("audit.append_failed", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }

    /// An action a signed-in user did on their own account.
    func record(_ action: String, by user: StoredUser, address: String?, detail: String = "") {
        record(action, user: user.id, actor: user.username, address: address, detail: detail)
    }
}
