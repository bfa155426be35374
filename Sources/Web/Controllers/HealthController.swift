import Common
import Foundation
import Hummingbird

/// `/healthz`: 200 when the central database answers (`/metrics`: ``MetricsController``).
struct HealthController {
    let database: CentralDatabase

    func register(on router: Router<WebContext>) {
        router.get("/healthz") { _, _ -> Response in
            let healthy = database.isHealthy()
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "central database unavailable\n"))
            )
        }
    }
}
