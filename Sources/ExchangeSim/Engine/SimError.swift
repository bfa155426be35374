import Foundation

/// A Binance error as the simulator answers it: `{"code":…,"msg":"…"}` with Binance's HTTP status.
struct SimError: Error, Equatable {
    let status: Int
    let code: Int
    let message: String
    /// cancelReplace's `data` object (JSON), merged into the error body.
    var data: Data? = nil

    static func notRequired(_ name: String) -> SimError {
        SimError(status: 400, code: -1106, message: "Parameter '\(name)' sent when not required.")
    }
    static func eitherMissing(_ first: String, _ second: String) -> SimError {
        SimError(status: 400, code: -1102, message: "Param '\(first)' or '\(second)' must be sent, but both were empty/null!")
    }
    static let wouldTrigger = SimError(status: 400, code: -2010, message: "Order would trigger immediately.")
    static let badPriceRelationship = SimError(status: 400, code: -2010, message: "The relationship of the prices for the orders is not correct.")
    static let notSupportedInOCO = SimError(status: 400, code: -1158, message: "Order type not supported in OCO.")
    static let noSuchOrderList = SimError(status: 400, code: -2013, message: "Order list does not exist.")

    static func missing(_ name: String) -> SimError {
        SimError(status: 400, code: -1102, message: "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.")
    }
    static func illegal(_ name: String) -> SimError {
        SimError(status: 400, code: -1100, message: "Illegal characters found in parameter '\(name)'; legal range is '^[0-9]{1,20}(\\.[0-9]{1,20})?$'.")
    }
    static let badSymbol = SimError(status: 400, code: -1121, message: "Invalid symbol.")
    static let badSide = SimError(status: 400, code: -1117, message: "Invalid side.")
    static let badType = SimError(status: 400, code: -1116, message: "Invalid orderType.")
    static let badTimeInForce = SimError(status: 400, code: -1115, message: "Invalid timeInForce.")
    static let insufficientBalance = SimError(status: 400, code: -2010, message: "Account has insufficient balance for requested action.")
    static let duplicateOrder = SimError(status: 400, code: -2010, message: "Duplicate order sent.")
    static let wouldTake = SimError(status: 400, code: -2010, message: "Order would immediately match and take.")
    static let noSuchOrder = SimError(status: 400, code: -2013, message: "Order does not exist.")
    static let unknownOrder = SimError(status: 400, code: -2011, message: "Unknown order sent.")
    static let badKeyFormat = SimError(status: 401, code: -2014, message: "API-key format invalid.")
    static let rejectedKey = SimError(status: 401, code: -2015, message: "Invalid API-key, IP, or permissions for action.")
    static let badSignature = SimError(status: 400, code: -1022, message: "Signature for this request is not valid.")
    static let outsideWindow = SimError(status: 400, code: -1021, message: "Timestamp for this request is outside of the recvWindow.")
    static let aheadOfServer = SimError(status: 400, code: -1021, message: "Timestamp for this request was 1000ms ahead of the server's time.")
    static let badRecvWindow = SimError(status: 400, code: -1131, message: "recvWindow must be less than 60000")
    static func filter(_ name: String) -> SimError { SimError(status: 400, code: -1013, message: "Filter failure: \(name)") }
    static let unavailable = SimError(status: 503, code: -1008, message: "Service Unavailable.")
}
