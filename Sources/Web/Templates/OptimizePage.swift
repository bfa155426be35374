import Common
import Foundation

/// The "Optimise" tab (`/backtest/optimize`, `optimize.mustache`): the form and the user's
/// optimisations, or one optimisation: its progress while it runs (the page reloads itself),
/// then its best set, table, heat map and walk-forward.
enum OptimizePage {
    static let defaults = [
        "symbol": "BTCUSDT", "space": "fast=5:30\nslow=20:120:5", "params": "", "min_trades": "1", "walk_forward": "", "trials": "200", "seed": "1",
        "fee": "0.001", "cash": "10000",
    ]

    static func form(viewer: Layout.Viewer, form: [String: String], list: [OptimizationRecord], error: String?) -> String {
        let weekAgo = String(Timestamp.string(Date().addingTimeInterval(-30 * 86_400)).prefix(10))
        let now = String(Timestamp.string(Date()).prefix(19)) + "Z"
        let values = defaults.merging(["start": weekAgo, "end": now]) { $1 }.merging(form.filter { defaults[$0.key] != nil || ["start", "end"].contains($0.key) }) { $1 }
        var c: [String: Any] = [
            "csrf": viewer.csrfToken, "form": values,
            "intervals": BotSettings.intervals.map { ["name": $0, "selected": $0 == (form["interval"] ?? "1h")] as [String: Any] },
            "strategies": ResearchStrategy.names.map { ["name": $0, "selected": $0 == (form["strategy"] ?? "sma_cross")] as [String: Any] },
            "objectives": Objective.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == (form["objective"] ?? "sharpe")] as [String: Any] },
            "list": list.map { r -> [String: Any] in
                ["id": r.id, "created": DisplayTime.text(r.createdAt, .gmt), "strategy": r.strategy, "symbol": r.symbol, "status": t("optimize.state.\(r.status.rawValue)")]
            },
        ]
        if let error { c["error"] = error }
        return Layout.page(title: t("optimize.title"), active: "/backtest", viewer: viewer, freshness: nil, content: Views.render("optimize", c))
    }

    /// The stored request as a line a person reads: `space fast=5:30, slow=20:120:5 · objective sharpe · …`.
    static func asked(_ json: String) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return json }
        func text(_ value: Any?) -> String? {
            switch value {
            case let list as [Any]: list.isEmpty ? nil : list.map { "\($0)" }.joined(separator: ", ")
            case let map as [String: Any]: map.isEmpty ? nil : map.keys.sorted().map { "\($0)=\(map[$0]!)" }.joined(separator: ", ")
            case let value?: "\(value)"
            case nil: nil
            }
        }
        let order = ["space", "params", "objective", "min_trades", "walk_forward", "trials", "seed", "interval", "candles", "fee", "cash"]
        return order.compactMap { key in text(object[key]).map { "\(key) \($0)" } }.joined(separator: " · ")
    }

    static func detail(viewer: Layout.Viewer, record: OptimizationRecord, progress: OptimizationControl.Progress?) -> String {
        func figure(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "— (\(t("backtest.undefined")))" }
        func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
        var d: [String: Any] = [
            "id": record.id, "csrf": viewer.csrfToken, "heading": t("optimize.heading", ["strategy": record.strategy, "symbol": record.symbol]),
            "status": t("optimize.state.\(record.status.rawValue)"), "asked": t("optimize.asked", ["request": asked(record.request)]),
        ]
        if let finished = record.finishedAt { d["finished"] = DisplayTime.text(finished, .gmt) }
        if record.status != .done, record.status != .running, let error = record.error { d["failure"] = error }
        if record.status == .running {
            let p = progress ?? OptimizationControl.Progress()
            d["running"] = [
                "done": String(p.done), "total": String(max(p.total, p.done)), "phase": p.phase,
                "bestSoFar": p.best.map { ParameterSetText.text($0) + " (" + figure(p.bestScore) + ")" } ?? t("optimize.none_yet"),
            ]
        }
        if let text = record.report, let report = try? WireJSON.decoder.decode(StudyReport.self, from: Data(text.utf8)) {
            var r: [String: Any] = [
                "method": t("optimize.method", ["method": report.method, "n": String(report.backtests), "candles": String(report.candles), "seed": String(report.seed)]),
                "objectiveName": report.objective.rawValue, "notes": report.notes,
                "rows": report.table.prefix(25).map { row -> [String: Any] in
                    [
                        "params": ParameterSetText.text(row.parameters), "score": figure(row.figures?.objective), "totalReturn": pct(row.figures?.totalReturn),
                        "drawdown": pct(row.figures?.maxDrawdown), "trades": row.figures.map { String($0.trades) } ?? "—", "refused": row.refused ?? "",
                    ]
                },
            ]
            if let best = report.best {
                r["best"] = ["params": ParameterSetText.text(best.parameters), "objective": report.objective.rawValue, "score": figure(best.figures?.objective)]
            }
            if let map = report.heatmap {
                r["heatmap"] = ["svg": map.svg(objective: report.objective.rawValue), "caption": t("optimize.heatmap_caption", ["x": map.x, "y": map.y, "n": String(map.span)])]
            }
            if let walk = report.walkForward {
                if walk.overfittingWarning { r["warning"] = t("optimize.overfitting", ["n": String(walk.windows.filter(\.collapsed).count), "of": String(walk.windows.count)]) }
                var w: [String: Any] = [
                    "windows": walk.windows.map { window -> [String: Any] in
                        [
                            "train": DisplayTime.text(window.trainFrom, .gmt) + " – " + DisplayTime.text(window.trainUntil, .gmt),
                            "test": DisplayTime.text(window.testFrom, .gmt) + " – " + DisplayTime.text(window.testUntil, .gmt),
                            "params": window.parameters.map(ParameterSetText.text) ?? "—", "inSample": figure(window.inSample?.objective),
                            "outOfSample": figure(window.outOfSample?.objective), "oosReturn": pct(window.outOfSample?.totalReturn), "collapsed": window.collapsed,
                            "verdict": window.note ?? (window.collapsed ? t("optimize.collapsed") : t("optimize.held")),
                        ]
                    },
                    "efficiency": t("optimize.efficiency", ["value": walk.efficiency.map { String(format: "%.2f", $0) } ?? "— (\(t("backtest.undefined")))"]),
                ]
                if let stitched = walk.stitched, var chart = BacktestPage.chart(stitched.equity, buyAndHold: stitched.buyAndHold) {
                    chart["caption"] = t("optimize.stitched_caption", ["caption": chart["caption"] as? String ?? ""])
                    w["equity"] = chart
                }
                r["walk"] = w
            }
            d["report"] = r
        }
        return Layout.page(
            title: t("optimize.title"), active: "/backtest", viewer: viewer, freshness: nil, content: Views.render("optimize", ["detail": d]), refreshSeconds: record.status == .running ? 2 : nil)
    }
}
