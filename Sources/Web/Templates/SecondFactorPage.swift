import Common
import Foundation

/// The second factor's section of `/settings`, and the login's code step.
enum SecondFactorPage {
    static func context(_ m: SettingsPage.Model) -> [String: Any] {
        var c: [String: Any] = ["csrf": m.viewer.csrfToken]
        if let enrolment = m.enrolment {
            c["enrolment"] = ["qr": qr(enrolment.uri), "uri": enrolment.uri, "secret": grouped(enrolment.secret)]
        } else if let codes = m.recoveryCodes {
            c["recovery"] = ["codes": codes]
        }
        if let on = m.secondFactor {
            c["on"] = [
                "text": t("twofa.on", ["time": on.since.map { DisplayTime.text($0, m.timeZone) } ?? "—", "n": String(on.left)]),
            ]
        } else if m.enrolment == nil {
            c["off"] = true
        }
        return c
    }

    /// The enrolment URI as a QR code drawn here (an SVG in the page: no request leaves the server).
    static func qr(_ uri: String) -> String {
        (try? QRCode.encode(uri, level: .medium).svg(pixelsPerModule: 4)) ?? ""
    }

    /// The secret in groups of four, to type by hand.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { start in
            let from = secret.index(secret.startIndex, offsetBy: start)
            return String(secret[from..<(secret.index(from, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
    }
}
