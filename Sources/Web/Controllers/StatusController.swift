import Common
import Foundation
import Hummingbird

/// `/`: what runs, from `central.sqlite`. Until accounts exist this is the system view: counts
/// only, no user's data.
struct StatusController {
    let database: CentralDatabase
    let exchange: String

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ -> Response in
            let now = Date()
            let body: String
            do {
                let statuses = try database.processes.all()
                let info = try database.supervisorInfo.all()
                body = StatusPage.render(statuses: statuses, info: info, exchange: exchange, now: now)
            } catch {
                body = StatusPage.unavailable(reason: "the central database cannot be read: \(error)", now: now)
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
