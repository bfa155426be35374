import Foundation

/// A minimal `multipart/form-data` reader: part name → bytes.
enum Multipart {
    static func parse(_ body: Data, boundary: String) -> [String: Data] {
        let delimiter = Data(("--" + boundary).utf8)
        var parts: [String: Data] = [:]
        var searchStart = body.startIndex
        var chunks: [Range<Data.Index>] = []
        while let range = body.range(of: delimiter, in: searchStart..<body.endIndex) {
            chunks.append(range)
            searchStart = range.upperBound
        }
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            var part = body[a.upperBound..<b.lowerBound]
            if part.starts(with: Data("\r\n".utf8)) { part = part.dropFirst(2) }
            if part.suffix(2) == Data("\r\n".utf8) { part = part.dropLast(2) }
            guard let split = part.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
            guard let nameRange = headers.range(of: "name=\"") else { continue }
            let name = String(headers[nameRange.upperBound...].prefix { $0 != "\"" })
            parts[name] = Data(part[split.upperBound...])
        }
        return parts
    }
}
