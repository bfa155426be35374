import Common
import Foundation

/// `GET`/`PUT /api/v1/settings`: the settings as stored (CONTRACT §6 "settings"), and whether
/// they are still the defaults (nothing saved yet).
struct SettingsResponse: Encodable, Sendable {
    let settings: BotSettings
    let isDefault: Bool

    enum CodingKeys: String, CodingKey {
        case isDefault = "is_default"
    }

    /// The settings' own fields with `is_default` beside them in the same object.
    func encode(to encoder: any Encoder) throws {
        try settings.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isDefault, forKey: .isDefault)
    }
}
