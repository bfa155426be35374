import Common
import Foundation
import Hummingbird
import Logging

/// Builds the web application; the tests call this too.
enum WebApp {
    static func build(database: CentralDatabase, host: String, port: Int, exchange: String, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware())
        HealthController(database: database).register(on: router)
        StatusController(database: database, exchange: exchange).register(on: router)
        router.get("/static/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Layout.stylesheet)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "crypto-trader-web"),
            onServerRunning: { _ in ParentWatch.reportReady() }, logger: logger
        )
    }
}

/// Headers every response carries.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        return response
    }
}
