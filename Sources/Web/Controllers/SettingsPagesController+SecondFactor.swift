import Common
import Foundation
import Hummingbird

extension SettingsPagesController {
    /// `/settings/2fa/…`: turn two-factor sign-in on (scan, then confirm with a first code: the
    /// recovery codes are shown on that answer only) or off (the password and a code).
    func registerSecondFactor(on routes: WebRoutes) {
        let service = accounts.secondFactor
        routes.pages.post("/settings/2fa/enrol") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            do throws(APIError) {
                let enrolment = try service.begin(user: user)
                return Self.settings(database, exchange: exchange, viewer: viewer, user: user.id) { $0.enrolment = enrolment }
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        routes.pages.post("/settings/2fa/confirm") { _, context -> Response in
            let address = context.remoteAddress
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let codes = try service.confirm(user: user, code: form["code"] ?? "", address: address)
                return Self.settings(database, exchange: exchange, viewer: viewer, user: user.id, notice: t("twofa.enabled")) { $0.recoveryCodes = codes }
            } catch {
                // A wrong first code: the same secret stays to scan (the page shows it again).
                let factor = try? database.secondFactors.factor(for: user.id)
                let pending = factor.flatMap { $0.isEnabled ? nil : Base32.decode($0.secret) }.map {
                    SecondFactorService.Enrolment(secret: Base32.encode($0), uri: TOTP.uri(secret: $0, account: user.username))
                }
                return Self.settings(database, exchange: exchange, viewer: viewer, user: user.id, error: error.pageMessage, status: error.status) {
                    $0.enrolment = pending
                }
            }
        }
        routes.pages.post("/settings/2fa/disable") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                try await service.disable(user: user, password: form["password"] ?? "", code: form["code"] ?? "", address: context.remoteAddress)
                return Reply.redirect("/settings?done=second_factor_off#second-factor")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
    }
}
