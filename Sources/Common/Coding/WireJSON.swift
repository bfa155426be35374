import Foundation

/// The one JSON configuration of the web's answers and the control socket's messages: keys in
/// snake_case, times ISO-8601 UTC exactly as ``Timestamp/string(_:)`` writes them, keys sorted
/// (stable bodies, comparable in tests and caches), slashes unescaped.
///
/// The key strategy also applies to a dictionary's keys: those written here (feature names,
/// strategy parameters, error causes) are snake_case or lower case already, which it leaves as
/// they are.
///
/// Decoding uses no key strategy: every type read back names its snake_case keys itself, because
/// `convertFromSnakeCase` would not match keys spelled out in `CodingKeys`.
public enum WireJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.date(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an ISO-8601 UTC time")
            }
            return date
        }
        return decoder
    }()

    /// The value's JSON; a value that cannot be written (a non-finite number) is a programming
    /// error caught by the tests, so the answer degrades to `{}` rather than a crash.
    public static func data(_ value: some Encodable) -> Data {
        (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    public static func text(_ value: some Encodable) -> String {
        String(decoding: data(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }
}
