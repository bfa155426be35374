import Common
import Foundation
import Hummingbird

extension AccountAPIController {
    /// `/api/v1/2fa`: the account's second factor (state, enrolment, confirmation, turning off).
    func registerSecondFactor(on routes: WebRoutes) {
        let service = accounts.secondFactor
        routes.api.get("2fa") { _, context -> Response in
            let user = context.user.id
            let factor = try read { try accounts.database.secondFactors.factor(for: user) }
            let left = try read { try accounts.database.secondFactors.recoveryLeft(for: user) }
            return Reply.json(.ok, SecondFactorResponse(enabled: factor?.isEnabled ?? false, enabledAt: factor?.enabledAt, recoveryCodesLeft: left))
        }
        routes.api.post("2fa/enrol") { _, context -> Response in
            let enrolment = try service.begin(user: context.user)
            return Reply.json(.ok, EnrolmentResponse(secret: enrolment.secret, otpauthUri: enrolment.uri, qrSvg: SecondFactorPage.qr(enrolment.uri)))
        }
        routes.api.post("2fa/confirm") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            let codes = try service.confirm(user: context.user, code: try body.string("code"), address: context.remoteAddress)
            return Reply.json(.ok, RecoveryCodesResponse(recoveryCodes: codes))
        }
        routes.api.post("2fa/disable") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            try await service.disable(user: context.user, password: try body.string("password"), code: try body.string("code"), address: context.remoteAddress)
            return Response(status: .noContent)
        }
    }
}

struct SecondFactorResponse: Encodable, Sendable {
    let enabled: Bool
    @Nullable var enabledAt: Date?
    let recoveryCodesLeft: Int
}

/// The enrolment: the secret (base32) and the `otpauth://` URI, as text and as a QR code (SVG).
struct EnrolmentResponse: Encodable, Sendable {
    let secret: String
    let otpauthUri: String
    let qrSvg: String
}

struct RecoveryCodesResponse: Encodable, Sendable {
    let recoveryCodes: [String]
}
