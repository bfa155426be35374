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
        /// The SHA-256 of this browser's session id (which of the user's sessions is this one).
        var sessionHash: String? = nil
        /// An administrator: the navigation shows the console.
        var isAdmin = false
    }

    /// Whether this web serves an installation on Binance itself (`exchange: mainnet`): every page
    /// says so (set per request by ``ExchangeModeMiddleware``).
    @TaskLocal static var mainnet = false

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
        freshnessAt: Date? = nil, refreshSeconds: Int? = nil
    ) -> String {
        let language = Localizer.current.language
        let items = viewer.map { signedInNavigation + ($0.isAdmin ? [NavItem(path: "/admin", key: "nav.admin")] : []) } ?? signedOutNavigation
        let notes = viewer == nil ? [] : PageStatus.current.notes
        var context: [String: Any] = [
            "lang": language.rawValue, "title": title, "content": content, "scripts": scripts + ["/static/app.js"],
            "nav": items.map { ["path": $0.path, "title": t($0.key), "current": $0.path == active] as [String: Any] },
            "languages": Language.allCases.map { ["code": $0.rawValue, "name": $0.name, "selected": $0 == language] as [String: Any] },
            "next": active.isEmpty ? "/" : active,
        ]
        if let viewer { context["viewer"] = ["signedInAs": t("layout.signed_in_as", ["name": viewer.username]), "csrf": viewer.csrfToken] }
        if viewer != nil && !live.isEmpty { context["live"] = live.joined(separator: " ") }
        if mainnet { context["mainnet"] = true }
        if let refreshSeconds { context["refresh"] = String(refreshSeconds) }
        if freshness != nil || !notes.isEmpty {
            // The age of the data is counted on in the browser ("3 s ago"); the text already has the time.
            var line: [String: Any] = ["text": freshness ?? "", "notes": notes]
            if let freshnessAt { line["agoFrom"] = Timestamp.string(freshnessAt) }
            context["freshness"] = line
        }
        return Views.render("layout", context)
    }

    /// Colours are variables: the light palette, and a full dark one under
    /// `prefers-color-scheme: dark` (contrast of text on its background at least 4.5:1 in both).
    /// Two columns from 1100 px, one on a phone; tables scroll in their own box, never the page.
    static let stylesheet = """
        :root { color-scheme: light dark;
          --bg: #f6f7f9; --surface: #fff; --text: #1d2430; --muted: #5b6475; --border: #e3e6eb; --link: #1d4ed8;
          --header-bg: #1d2430; --header-text: #cfd6e4; --accent: #4e9af1;
          --gain: #166534; --loss: #b91c1c; --warn: #9a3412; --buy: #1d4ed8; --sell: #b45309; --line: #2563eb; --grid: #e3e6eb;
          --error-bg: #fff4ed; --error-border: #f5c7a9; --notice-bg: #effaf1; --notice-border: #a7e0b5; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0f141b; --surface: #171e28; --text: #e6e9ef; --muted: #a3adbd; --border: #2c3645; --link: #8ab4f8;
            --header-bg: #0a0e13; --header-text: #c3cad6; --accent: #6aa8f5;
            --gain: #4ade80; --loss: #f87171; --warn: #fdba74; --buy: #93c5fd; --sell: #fbbf24; --line: #60a5fa; --grid: #2c3645;
            --error-bg: #2a1710; --error-border: #7c2d12; --notice-bg: #0f2417; --notice-border: #166534; }
        }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Nanum Gothic", sans-serif;
          margin: 0; color: var(--text); background: var(--bg); line-height: 1.45; }
        a { color: var(--link); }
        header { display: flex; gap: 2rem; align-items: center; padding: .8rem 1.5rem; background: var(--header-bg); color: #fff; }
        header nav a { color: var(--header-text); margin-right: 1rem; text-decoration: none; }
        header nav a[aria-current=page] { color: #fff; border-bottom: 2px solid var(--accent); }
        .freshness { margin: .5rem 1.5rem; font-size: .85rem; color: var(--muted); }
        main { padding: 0 1.5rem 2rem; max-width: 110rem; }
        table { border-collapse: collapse; background: var(--surface); color: var(--text); }
        th, td { text-align: left; padding: .4rem .8rem; border-bottom: 1px solid var(--border); }
        .unavailable { color: var(--warn); }
        .mainnet-banner { margin: 0; padding: .5rem 1.5rem; background: var(--error-bg); border-bottom: 2px solid var(--loss); color: var(--text); font-weight: 600; }
        header .account { margin-left: auto; display: flex; gap: .8rem; align-items: center; color: var(--header-text); }
        header form.language { display: flex; gap: .4rem; align-items: center; color: var(--header-text); font-size: .85rem; }
        header form.language button, header .account button { margin-top: 0; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: .5rem; top: .5rem; background: var(--surface); padding: .3rem .6rem; z-index: 10; }
        form.card, section.card { background: var(--surface); padding: 1rem 1.5rem; margin: 1rem 0; max-width: 34rem; border: 1px solid var(--border); border-radius: 6px; box-sizing: border-box; }
        section.card.wide, form.card.wide { max-width: none; }
        nav.tabs { margin: -.5rem 0 1rem; } nav.tabs a { margin-right: 1rem; } nav.tabs a[aria-current=page] { font-weight: 600; text-decoration: none; border-bottom: 2px solid var(--accent); }
        tr.collapsed td { color: var(--loss); } svg.heatmap text { fill: var(--text); }
        form.card label { display: block; margin: .6rem 0 .2rem; }
        form.stacked { max-width: 34rem; } form.stacked label { display: block; margin: .6rem 0 .2rem; }
        form.stacked input[type=text] { width: 100%; padding: .4rem; box-sizing: border-box; }
        form.card input[type=text], form.card input[type=password] { width: 100%; padding: .4rem; box-sizing: border-box; }
        form.card textarea { width: 100%; padding: .4rem; box-sizing: border-box; font-family: ui-monospace, monospace; }
        input, select, button, textarea { font: inherit; }
        .error { color: var(--warn); background: var(--error-bg); border: 1px solid var(--error-border); padding: .5rem .8rem; }
        .notice { color: var(--gain); background: var(--notice-bg); border: 1px solid var(--notice-border); padding: .5rem .8rem; }
        button { margin-top: .8rem; padding: .4rem 1rem; }
        .hint { color: var(--muted); font-size: .85rem; }
        form.inline { display: inline-block; margin-right: .5rem; }
        button.danger { background: #b91c1c; color: #fff; border: 1px solid #7f1d1d; }
        form.card select { display: block; padding: .3rem; max-width: 100%; }
        .state-running { color: var(--gain); } .state-crash_loop, .state-backoff, .state-error, .state-emergency_stopped { color: var(--warn); }
        header { flex-wrap: wrap; row-gap: .4rem; }
        header nav { display: flex; flex-wrap: wrap; gap: .2rem .9rem; }
        header nav a { margin-right: 0; }
        .scroll { overflow-x: auto; max-width: 100%; }
        td.num, th.num, .figure, .pnl, .pnl-grid dd { text-align: right; font-variant-numeric: tabular-nums; }
        td.num { white-space: nowrap; }
        .figure { font-size: 1.6rem; }
        .pnl.gain { color: var(--gain); } .pnl.loss { color: var(--loss); }
        td.side.buy { color: var(--buy); } td.side.sell { color: var(--sell); }
        .bot-card { border: 1px solid var(--border); border-radius: 6px; padding: .5rem .8rem; margin: .6rem 0; }
        .bot-card h3 { margin: 0 0 .3rem; font-size: 1.05rem; } .bot-card p { margin: .2rem 0; }
        .badge { display: inline-block; font-size: .75rem; padding: .05rem .45rem; border-radius: 999px; border: 1px solid var(--border); vertical-align: middle; }
        .badge.paper { background: var(--warn); color: var(--surface); border-color: var(--warn); font-weight: 600; }
        fieldset.params { border: 1px solid var(--border); border-radius: 6px; margin: .8rem 0; } fieldset.params legend { font-weight: 600; }
        article.channel { border-top: 1px solid var(--border); padding-top: .6rem; margin-top: .8rem; } article.channel h3 small { color: var(--muted); font-weight: normal; }
        article.channel form label { display: block; margin: .5rem 0 .2rem; }
        article.channel input[type=text], article.channel input[type=password], article.channel input[type=url], form.card input[type=url] { width: 100%; padding: .4rem; box-sizing: border-box; }
        fieldset.events { border: 1px solid var(--border); border-radius: 6px; margin: .6rem 0; } fieldset.events legend { font-weight: 600; }
        fieldset.events label.check, form.card fieldset.events label.check { display: block; margin: .2rem 0; }
        #second-factor form label { display: block; margin: .5rem 0 .2rem; } #second-factor form input { padding: .4rem; }
        #second-factor .qr svg { display: block; margin: .5rem 0; background: #fff; } #recovery-codes ul { columns: 2; font-size: 1.1rem; }
        #sessions td:first-child { max-width: 22rem; overflow-wrap: anywhere; font-size: .85rem; }
        .pnl-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .6rem; margin: .4rem 0; }
        .pnl-grid div { border: 1px solid var(--border); border-radius: 6px; padding: .5rem .7rem; }
        .pnl-grid dt { font-size: .85rem; color: var(--muted); } .pnl-grid dd { margin: .2rem 0 0; font-size: 1.15rem; font-weight: 600; }
        h2.small { font-size: 1rem; margin: 1rem 0 .2rem; }
        .columns { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 1.5rem; }
        .columns > .column, .columns > .column > * { min-width: 0; }
        /* The balances table needs the whole width: its six columns were cut at 1280 px in one. */
        .columns > .span-all { grid-column: 1 / -1; min-width: 0; }
        @media (min-width: 1100px) { .columns { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
        /* One column: the sections in the order a glance needs (total, bot, last fills, then the rest). */
        @media (max-width: 1099px) { .columns > .column { display: contents; } .phone-1 { order: 1; } .phone-2 { order: 2; } .phone-3 { order: 3; }
          .phone-4 { order: 4; } .phone-5 { order: 5; } .phone-6 { order: 6; } .columns > .column > .card { margin: .5rem 0; } }
        table.compact th, table.compact td { padding: .35rem .55rem; } td.time { white-space: nowrap; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        figure.chart { margin: .5rem 0 1rem; max-width: 60rem; }
        .chart-box { position: relative; height: 240px; background: var(--surface); border: 1px solid var(--border); }
        .chart-box canvas, .chart-box svg { width: 100%; height: 100%; display: block; }
        .chart-box.tall { height: auto; } .chart-box.tall svg { height: auto; }
        svg .plot-bg { fill: var(--surface); stroke: var(--border); }
        svg .series { fill: none; stroke: var(--line); stroke-width: 1.5; } svg .series.other { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 4 3; }
        svg .grid { stroke: var(--grid); }
        svg .axis, svg .level-label { fill: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
        svg .trade-line { fill: none; stroke: var(--line); stroke-width: 1.5; }
        svg .mark.buy { fill: var(--buy); } svg .mark.sell { fill: var(--sell); }
        svg .level { stroke-width: 1.2; stroke-dasharray: 6 4; } svg .level.buy { stroke: var(--buy); } svg .level.sell { stroke: var(--sell); }
        svg .level.last { stroke: var(--muted); stroke-dasharray: 2 3; }
        svg .level-label.buy { fill: var(--buy); } svg .level-label.sell { fill: var(--sell); }
        figcaption { font-size: .85rem; color: var(--muted); }
        figure > svg { max-width: 100%; height: auto; }
        nav.ranges a { margin-right: .6rem; } nav.ranges a[aria-current] { font-weight: 700; }
        form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: var(--surface); padding: .8rem 1rem; border: 1px solid var(--border); margin: 1rem 0; }
        form.filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .pager a { margin-right: 1rem; }
        code { overflow-wrap: anywhere; }
        @media (max-width: 600px) {
          header { padding: .6rem .8rem; gap: .6rem; }
          main { padding: 0 .8rem 1.5rem; }
          .freshness { margin: .5rem .8rem; }
          header .account { margin-left: 0; }
          th, td { padding: .3rem .5rem; }
          .chart-box { height: 200px; }
          form.card, section.card { padding: .8rem .9rem; }
          .figure { font-size: 1.35rem; }
          svg .axis, svg .level-label { font-size: 22px; }
        }
        """
}
