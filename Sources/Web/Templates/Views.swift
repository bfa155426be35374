import Foundation
import Mustache
import Synchronization

/// The pages' Mustache templates (`Sources/Web/Mustache`), read once at start. They are
/// installed beside the executable (`<package>_Web.resources/Mustache`, which `make` copies with
/// the binaries); a build run from its source tree also finds them there. Every context gets `t`,
/// the catalog of the request's language (`{{t.nav.portfolio}}`); `{{…}}` escapes HTML, and
/// `{{{…}}}` is used only for HTML the Swift side built and escaped itself.
enum Views {
    private static let library = Mutex<MustacheLibrary?>(nil)

    struct Missing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "the page templates are missing: none of \(searched.joined(separator: ", ")) holds layout.mustache (install the web with its *_Web.resources folder)"
        }
    }

    /// Reads every template; throws a clear error when the folder is missing.
    static func load() throws {
        let candidates = folders()
        guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/layout.mustache") }) else {
            throw Missing(searched: candidates)
        }
        MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
        var loaded = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            try loaded.register("{{% CONTENT_TYPE: \(HTMLEscaping.name) }}" + text, named: String(file.dropLast(".mustache".count)))
        }
        library.withLock { $0 = loaded }
    }

    static func folders() -> [String] {
        var folders: [String] = []
        if let override = ProcessInfo.processInfo.environment["TRADER_WEB_TEMPLATES"], !override.isEmpty { folders.append(override) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = URL(fileURLWithPath: executable).deletingLastPathComponent().path
        if let bundles = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for bundle in bundles.sorted() where bundle.hasSuffix("_Web.resources") { folders.append(directory + "/" + bundle + "/Mustache") }
        }
        // The source tree this binary was built from (a development build).
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Mustache")
        return folders
    }

    /// The page `name` rendered with `context` and the catalog of the current language.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        if library.withLock({ $0 == nil }) { try? load() }
        var context = context
        context["t"] = CatalogLookup(catalog: Localizer.current.language.catalog, prefix: "")
        // Rendered outside the lock: pages render in parallel.
        let templates = library.withLock { $0 }
        return templates?.render(context, withTemplate: name) ?? "<!-- the template \(name) is missing -->"
    }
}

/// `t` in a template: `{{t.a.b}}` is the catalog's text for `a.b`.
struct CatalogLookup: MustacheParent {
    let catalog: [String: String]
    let prefix: String

    func child(named name: String) -> Any? {
        let key = prefix.isEmpty ? name : prefix + "." + name
        if let text = catalog[key] ?? Catalog.en[key] { return text }
        return CatalogLookup(catalog: catalog, prefix: key)
    }
}
