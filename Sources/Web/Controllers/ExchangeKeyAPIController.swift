import Common
import Foundation
import Hummingbird

/// `/api/v1/exchange-key` and `/api/v1/sim-account` (CONTRACT §6): the key goes to the
/// supervisor, which checks it with the exchange, encrypts and stores it; the web only shows it
/// masked.
struct ExchangeKeyAPIController {
    let database: CentralDatabase
    let control: ControlClient
    let exchange: String

    func register(on routes: WebRoutes) {
        routes.api.get("exchange-key") { _, context -> Response in
            guard let key = try? database.exchangeKeys.key(for: context.user.id) else {
                throw APIError(.notFound, "no_key", "No API key is stored for this account.")
            }
            return Reply.json(.ok, ExchangeKeyInfo(maskedKey: key.maskedKey, canTrade: key.canTrade, verifiedAt: key.verifiedAt))
        }
        routes.api.put("exchange-key") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            let key = ExchangeKeyRequest(
                apiKey: try body.string("api_key").trimmingCharacters(in: .whitespacesAndNewlines),
                apiSecret: try body.string("api_secret").trimmingCharacters(in: .whitespacesAndNewlines)
            )
            return Reply.json(.ok, try await control.storeKey(key, user: context.user.id))
        }
        routes.api.delete("exchange-key") { _, context -> Response in
            try await control.deleteKey(user: context.user.id)
            return Response(status: .noContent)
        }
        routes.api.post("sim-account") { _, context -> Response in
            guard exchange == "sim" else { throw APIError(.notFound, "not_found", "Simulator accounts exist only in sim mode.") }
            return Reply.json(.ok, try await control.storeKey(nil, user: context.user.id))
        }
    }
}
