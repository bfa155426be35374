import AsyncHTTPClient
import Foundation
import NIOCore

/// The simulator's admin endpoints (`/sim/v1/…`), for tools and benchmarks.
public enum SimAdmin {
    public static func post(url: String, json: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return Data(buffer.readableBytesView)
    }
}
