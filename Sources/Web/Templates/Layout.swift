import Common
import Foundation

/// The shared page frame: navigation, the freshness line (where the numbers come from and
/// when they were read), and the content. Pages are complete without JavaScript.
enum Layout {
    struct NavItem {
        let path: String
        let title: String
    }

    static let navigation = [NavItem(path: "/", title: "Status")]

    static func page(title: String, active: String, freshness: String, content: String) -> String {
        let nav = navigation.map { item in
            "<a href=\"\(item.path)\"\(item.path == active ? " aria-current=\"page\"" : "")>\(escape(item.title))</a>"
        }.joined()
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Crypto Trader Pro</title>
            <link rel="stylesheet" href="/static/app.css">
            </head>
            <body>
            <header><strong>Crypto Trader Pro</strong><nav>\(nav)</nav></header>
            <p class="freshness" id="freshness">\(escape(freshness))</p>
            <main>
            \(content)
            </main>
            </body>
            </html>
            """
    }

    /// HTML-escapes text for element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
        header { display: flex; gap: 2rem; align-items: center; padding: .8rem 1.5rem; background: #1d2430; color: #fff; }
        header nav a { color: #cfd6e4; margin-right: 1rem; text-decoration: none; }
        header nav a[aria-current=page] { color: #fff; border-bottom: 2px solid #4e9af1; }
        .freshness { margin: .5rem 1.5rem; font-size: .85rem; color: #5b6475; }
        main { padding: 0 1.5rem 2rem; }
        table { border-collapse: collapse; background: #fff; }
        th, td { text-align: left; padding: .4rem .8rem; border-bottom: 1px solid #e3e6eb; }
        .unavailable { color: #9a3412; }
        .state-running { color: #166534; } .state-crash_loop, .state-backoff { color: #9a3412; }
        """
}
