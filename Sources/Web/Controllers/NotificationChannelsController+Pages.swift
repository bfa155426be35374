import Common
import Foundation
import Hummingbird

extension NotificationChannelsController {
    /// The forms of `/settings`' notifications section.
    func registerPages(on routes: WebRoutes) {
        routes.pages.post("/settings/channels") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let request = ChannelRequest(
                    kind: form["kind"] ?? "", name: form["name"], target: form["target"], preset: form["preset"], events: Self.events(form),
                    secret: form["secret"], unreachableMinutes: try Self.minutes(form))
                _ = try await control.saveChannel(request, user: user.id)
                return Reply.redirect("/settings?done=channel_added#notifications")
            } catch {
                return page(viewer: viewer, user: user.id, error: error)
            }
        }
        routes.pages.post("/settings/channels/:channel_id") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let channel = try existing(try channelID(context), user: user.id)
                let secret = (form["secret"] ?? "").isEmpty ? nil : form["secret"]
                let target = (form["target"] ?? "").isEmpty ? nil : form["target"]
                let request = ChannelRequest(
                    kind: channel.kind.rawValue, name: form["name"], target: target, preset: form["preset"], events: Self.events(form), secret: secret,
                    unreachableMinutes: try Self.minutes(form))
                _ = try await control.saveChannel(request, id: channel.id, user: user.id)
                return Reply.redirect("/settings?done=channel_saved#notifications")
            } catch {
                return page(viewer: viewer, user: user.id, error: error)
            }
        }
        routes.pages.post("/settings/channels/:channel_id/test") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            do throws(APIError) {
                try await control.testChannel(try channelID(context), user: user.id)
                return Reply.redirect("/settings?done=channel_test#notifications")
            } catch {
                return page(viewer: viewer, user: user.id, error: error)
            }
        }
        routes.pages.post("/settings/channels/:channel_id/delete") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            do throws(APIError) {
                try await control.deleteChannel(try channelID(context), user: user.id)
                return Reply.redirect("/settings?done=channel_deleted#notifications")
            } catch {
                return page(viewer: viewer, user: user.id, error: error)
            }
        }
    }

    func page(viewer: Layout.Viewer, user: UserID, error: APIError) -> Response {
        SettingsPagesController.settings(database, exchange: exchange, viewer: viewer, user: user, error: error.pageMessage, status: error.status)
    }

    /// The checked boxes `event_<name>`.
    static func events(_ form: FormBody) -> [String] {
        NotificationEvent.allCases.map(\.rawValue).filter { form["event_\($0)"] != nil }
    }

    static func minutes(_ form: FormBody) throws(APIError) -> Int? {
        guard let text = form["unreachable_minutes"], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw APIError.invalid(t("notify.minutes_invalid")) }
        return value
    }
}
