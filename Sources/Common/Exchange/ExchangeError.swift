import Foundation

/// An exchange failure, typed by what the caller must do (STYLE: errors say what to do).
public enum ExchangeError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A passing fault (connection refused or reset, 5xx on a read, timeout on a read): retry
    /// with backoff.
    case temporary(String)
    /// 429: wait `retryAfter` seconds before the next request.
    case rateLimited(retryAfter: Int)
    /// 418: the address is banned; send nothing at all until the ban ends.
    case banned(retryAfter: Int)
    /// The exchange refused the request (Binance's code and message): do not retry as is.
    case rejected(code: Int, message: String)
    /// A timeout or 5xx while placing or cancelling an order: its state is unknown. Resolve it by
    /// querying the client order id; never resend blindly.
    case unknownOrderState(clientOrderID: String, reason: String)
    /// The answer could not be understood.
    case invalidResponse(String)
    /// Refused here, before sending: the order cannot meet the symbol's filters.
    case refusedLocally(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "exchange temporarily unavailable: \(reason)"
        case .rateLimited(let seconds): "rate limited by the exchange; retry after \(seconds) s"
        case .banned(let seconds): "this address is banned by the exchange for \(seconds) s"
        case .rejected(let code, let message): "rejected by the exchange (\(code)): \(message)"
        case .unknownOrderState(let id, let reason): "order \(id) is in an unknown state (\(reason)); it will be looked up"
        case .invalidResponse(let reason): "unreadable answer from the exchange: \(reason)"
        case .refusedLocally(let reason): "order refused before sending: \(reason)"
        }
    }

    /// Classifies an HTTP answer that is not a success.
    public static func from(status: Int, body: String, retryAfter: Int?, isOrderPlacement: Bool, clientOrderID: String?) -> ExchangeError {
        if status == 429 { return .rateLimited(retryAfter: retryAfter ?? 60) }
        if status == 418 { return .banned(retryAfter: retryAfter ?? 120) }
        if status >= 500 {
            if isOrderPlacement, let clientOrderID { return .unknownOrderState(clientOrderID: clientOrderID, reason: "HTTP \(status)") }
            return .temporary("HTTP \(status)")
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let code = (object["code"] as? NSNumber)?.intValue, let message = object["msg"] as? String
        {
            guard let data = object["data"] as? [String: Any] else { return .rejected(code: code, message: message) }
            return .rejected(code: code, message: cancelReplaceMessage(message, cancel: half(data, "cancel"), newOrder: half(data, "newOrder")))
        }
        return .invalidResponse("HTTP \(status): \(body.prefix(200))")
    }

    /// `order/cancelReplace` refusals (-2021 partly, -2022 wholly failed) tell each half's fate;
    /// the message keeps both, since after a -2021 the old order is gone.
    static func cancelReplaceMessage(_ message: String, cancel: String, newOrder: String) -> String {
        "\(message) (cancel: \(cancel); new order: \(newOrder))"
    }

    /// A half's own refusal (`{code,msg}`), else its result (`SUCCESS`, `NOT_ATTEMPTED`).
    private static func half(_ data: [String: Any], _ name: String) -> String {
        if let response = data[name + "Response"] as? [String: Any], let message = response["msg"] as? String { return message }
        return data[name + "Result"] as? String ?? "unknown"
    }
}
