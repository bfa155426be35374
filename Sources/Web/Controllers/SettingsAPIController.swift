import Common
import Foundation
import Hummingbird

/// `GET`/`PUT /api/v1/settings` (CONTRACT §6): the first bot's settings, checked against the
/// exchange's symbols, saved, and handed to a running worker at once. A user without a bot gets
/// the defaults, and the first save makes the first bot.
struct SettingsAPIController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog

    func register(on routes: WebRoutes) {
        routes.api.get("settings") { _, context -> Response in
            let stored = try Self.firstBotSettings(database, user: context.user.id)
            return Reply.json(.ok, SettingsResponse(settings: stored ?? .defaults, isDefault: stored == nil))
        }
        routes.api.put("settings") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            var fields = body.fields
            fields["user_id"] = nil
            fields["is_default"] = nil
            let settings = try await Self.check(fields, catalog: catalog)
            try await Self.save(settings, user: context.user.id, database: database, control: control)
            return Reply.json(.ok, SettingsResponse(settings: settings, isDefault: false))
        }
    }

    /// Stores the settings; a running worker applies them at once, otherwise they are handed
    /// over at its start (so the command's failure is not the caller's).
    static func save(_ settings: BotSettings, user: UserID, database: CentralDatabase, control: ControlClient) async throws(APIError) {
        _ = try firstBotSettings(database, user: user)
        try write { try database.bots.saveSettings(settings, for: user, at: Date()) }
        let payload = String(decoding: settings.encoded(), as: UTF8.self)
        _ = try? await control.command(CommandRequest(.settingsChanged, json: payload), user: user)
    }

    /// The settings are the first bot's (CONTRACT §9), nil while the user has no bot; a user
    /// whose first bot is a grid or DCA bot has none, and is told where that bot is changed.
    static func firstBotSettings(_ database: CentralDatabase, user: UserID) throws(APIError) -> BotSettings? {
        guard let first = try read({ try database.bots.bots(for: user) }).first else { return nil }
        guard case .signals(let settings) = first.definition.plan else {
            throw APIError(
                .conflict, "first_bot_has_no_settings",
                "Your first bot is a \(first.definition.strategyName) bot, which has parameters instead of these settings: change it at /api/v1/bots/\(first.id).")
        }
        return settings
    }

    /// Checks settings, including that the exchange lists every symbol.
    static func check(_ fields: [String: Any], catalog: ExchangeCatalog) async throws(APIError) -> BotSettings {
        let settings: BotSettings
        do {
            settings = try BotSettings.decode(try JSONSerialization.data(withJSONObject: fields))
        } catch let error as SettingsError {
            throw APIError(.unprocessableContent, "invalid_settings", error.description)
        } catch {
            throw APIError.invalid("The body must be a settings object.")
        }
        let listed = try await catalog.symbols()
        if let missing = settings.symbols.first(where: { !listed.contains($0) }) {
            throw APIError(.unprocessableContent, "invalid_settings", "symbols: the exchange does not list \(missing)")
        }
        return settings
    }
}
