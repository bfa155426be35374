import Common
import Foundation

/// The shared page frame: navigation, the freshness line (where the numbers come from and
/// when they were read), and the content. Pages are complete without JavaScript.
enum Layout {
    struct NavItem {
        let path: String
        /// The catalog key of its title.
        let key: String
    }

    /// Who is signed in, for the header: their name and the token the logout form carries.
    struct Viewer {
        let username: String
        let csrfToken: String
    }

    static let signedInNavigation = [
        NavItem(path: "/", key: "nav.portfolio"), NavItem(path: "/trading", key: "nav.trading"), NavItem(path: "/monitoring", key: "nav.monitoring"),
        NavItem(path: "/signals", key: "nav.signals"), NavItem(path: "/backtest", key: "nav.backtest"), NavItem(path: "/reports", key: "nav.reports"),
        NavItem(path: "/settings", key: "nav.settings"), NavItem(path: "/status", key: "nav.system"),
    ]
    static let signedOutNavigation = [NavItem(path: "/login", key: "nav.login"), NavItem(path: "/signup", key: "nav.signup")]

    /// `title` and `freshness` are text (escaped here), `content` is HTML. `live`: the events of
    /// `/api/v1/events` that refresh this page's live regions (elements with `data-live-region`
    /// and an id) without a reload; `scripts`: more scripts to load (Chart.js for the charts).
    /// Neither is needed to read the page. `freshnessAt`: the time the data is from, whose age
    /// the script counts on.
    static func page(
        title: String, active: String, viewer: Viewer?, freshness: String?, content: String, live: [String] = [], scripts: [String] = [],
        freshnessAt: Date? = nil
    ) -> String {
        let language = Localizer.current.language
        let items = viewer == nil ? signedOutNavigation : signedInNavigation
        let notes = viewer == nil ? [] : PageStatus.current.notes
        var context: [String: Any] = [
            "lang": language.rawValue, "title": title, "content": content, "scripts": scripts + ["/static/app.js"],
            "nav": items.map { ["path": $0.path, "title": t($0.key), "current": $0.path == active] as [String: Any] },
            "languages": Language.allCases.map { ["code": $0.rawValue, "name": $0.name, "selected": $0 == language] as [String: Any] },
            "next": active.isEmpty ? "/" : active,
        ]
        if let viewer { context["viewer"] = ["signedInAs": t("layout.signed_in_as", ["name": viewer.username]), "csrf": viewer.csrfToken] }
        if viewer != nil && !live.isEmpty { context["live"] = live.joined(separator: " ") }
        if freshness != nil || !notes.isEmpty {
            // The age of the data is counted on in the browser ("3 s ago"); the text already has the time.
            var line: [String: Any] = ["text": freshness ?? "", "notes": notes]
            if let freshnessAt { line["agoFrom"] = Timestamp.string(freshnessAt) }
            context["freshness"] = line
        }
        return Views.render("layout", context)
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
        header .account { margin-left: auto; display: flex; gap: .8rem; align-items: center; color: #cfd6e4; }
        header form.language { display: flex; gap: .4rem; align-items: center; color: #cfd6e4; font-size: .85rem; }
        header form.language button, header .account button { margin-top: 0; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: .5rem; top: .5rem; background: #fff; padding: .3rem .6rem; z-index: 10; }
        form.card, section.card { background: #fff; padding: 1rem 1.5rem; margin: 1rem 0; max-width: 34rem; border: 1px solid #e3e6eb; }
        form.card label { display: block; margin: .6rem 0 .2rem; }
        form.card input[type=text], form.card input[type=password] { width: 100%; padding: .4rem; box-sizing: border-box; }
        .error { color: #9a3412; background: #fff4ed; border: 1px solid #f5c7a9; padding: .5rem .8rem; }
        .notice { color: #166534; background: #effaf1; border: 1px solid #a7e0b5; padding: .5rem .8rem; }
        button { margin-top: .8rem; padding: .4rem 1rem; }
        .hint { color: #5b6475; font-size: .85rem; }
        form.inline { display: inline-block; margin-right: .5rem; }
        button.danger { background: #b91c1c; color: #fff; border: 1px solid #7f1d1d; }
        form.card select { display: block; padding: .3rem; }
        .state-running { color: #166534; } .state-crash_loop, .state-backoff, .state-error, .state-emergency_stopped { color: #9a3412; }
        header { flex-wrap: wrap; row-gap: .4rem; }
        header nav { display: flex; flex-wrap: wrap; gap: .2rem .9rem; }
        header nav a { margin-right: 0; }
        .scroll { overflow-x: auto; max-width: 100%; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        figure.chart { margin: .5rem 0 1rem; max-width: 60rem; }
        .chart-box { position: relative; height: 240px; background: #fff; border: 1px solid #e3e6eb; }
        .chart-box canvas, .chart-box svg { width: 100%; height: 100%; display: block; }
        figcaption { font-size: .85rem; color: #5b6475; }
        nav.ranges a { margin-right: .6rem; } nav.ranges a[aria-current] { font-weight: 700; }
        form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: #fff; padding: .8rem 1rem; border: 1px solid #e3e6eb; margin: 1rem 0; }
        form.filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #4e9af1; outline-offset: 2px; }
        .pager a { margin-right: 1rem; }
        @media (max-width: 600px) {
          header { padding: .6rem .8rem; gap: .6rem; }
          main { padding: 0 .8rem 1.5rem; }
          .freshness { margin: .5rem .8rem; }
          header .account { margin-left: 0; }
          th, td { padding: .3rem .5rem; }
          .chart-box { height: 200px; }
        }
        """
}
