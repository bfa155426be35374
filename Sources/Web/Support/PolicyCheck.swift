import Common
import Foundation

/// The administrator's policies (``PlatformPolicies``) applied to what a user asks: a refusal
/// is 422 `policy_refused`, its message naming the policy and its limit.
extension CentralDatabase {
    func policies() throws(APIError) -> PlatformPolicies { try read { try platform.policies() } }

    static func refused(_ refusal: PlatformPolicies.Refusal) -> APIError {
        APIError(.unprocessableContent, "policy_refused", refusal.message)
    }

    /// A bot the user creates, changes, copies or starts.
    func requirePolicies(allow definition: BotDefinition, user: UserID) throws(APIError) {
        let approved = try read { try users.user(user)?.isApproved ?? false }
        if let refusal = try policies().checkBot(definition, approved: approved) { throw Self.refused(refusal) }
    }

    /// A new bot: the count first, then its definition.
    func requirePolicies(allowNew definition: BotDefinition, user: UserID) throws(APIError) {
        let existing = try read { try bots.bots(for: user).count }
        if let refusal = try policies().checkBotCount(existing: existing) { throw Self.refused(refusal) }
        try requirePolicies(allow: definition, user: user)
    }

    /// A manual order worth `usdt` on `symbol` (a live trade).
    func requirePolicies(allowOrder symbol: String, usdt: Decimal, user: UserID) throws(APIError) {
        let policies = try policies()
        let approved = try read { try users.user(user)?.isApproved ?? false }
        if let refusal = policies.checkLive(approved: approved) ?? policies.checkSymbol(symbol) ?? policies.checkOrder(usdt: usdt) {
            throw Self.refused(refusal)
        }
    }
}
