import Foundation
import Hummingbird

/// The stylesheet and script of the dashboard, and the JavaScript libraries the system's
/// packages installed (`/javascript/chart.js/chart.min.js` from Debian's `libjs-chart.js`). No
/// third-party script is part of this repository.
struct StaticFilesController {
    /// The folder, its links resolved once (not at every request).
    let javascriptRoot: String

    init(javascriptRoot: String) {
        self.javascriptRoot = URL(fileURLWithPath: javascriptRoot).resolvingSymlinksInPath().path
    }

    func register(on router: Router<WebContext>) {
        router.get("/static/app.css") { _, _ in Self.asset(Layout.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/static/app.js") { _, _ in Self.asset(Scripts.app, type: "text/javascript; charset=utf-8") }
        router.get("/api/v1/openapi.json") { _, _ in Self.asset(OpenAPIDocument.json, type: "application/json; charset=utf-8") }
        router.get("/javascript/**") { request, _ -> Response in
            guard let path = Self.safePath(request.uri.path, under: javascriptRoot),
                let data = FileManager.default.contents(atPath: path)
            else { return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Not found\n"))) }
            let type = path.hasSuffix(".js") || path.hasSuffix(".mjs") ? "text/javascript; charset=utf-8" : path.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400"], body: .init(byteBuffer: ByteBuffer(bytes: data))
            )
        }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The file a `/javascript/…` path names, or `nil` for anything that could leave the root:
    /// every component must be a plain name (letters, digits, `.`, `-`, `_`, not starting with a
    /// dot), and the resolved path, links followed, must stay under the root (given resolved).
    static func safePath(_ uriPath: String, under root: String) -> String? {
        guard uriPath.hasPrefix("/javascript/") else { return nil }
        let components = uriPath.dropFirst("/javascript/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, components.count <= 6 else { return nil }
        for component in components {
            guard !component.isEmpty, component.first != ".", component.count <= 100,
                component.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") })
            else { return nil }
        }
        let path = root + "/" + components.joined(separator: "/")
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        // Debian's packages link into /usr/share/nodejs; allow links that stay in /usr/share.
        guard resolved.hasPrefix(root + "/") || resolved.hasPrefix("/usr/share/nodejs/") else { return nil }
        return resolved
    }
}
