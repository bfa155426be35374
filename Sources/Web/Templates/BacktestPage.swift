import Common
import Foundation

/// `/backtest` (`backtest.mustache`): a form, and the result: metrics, the equity curve against
/// buy-and-hold (an SVG drawn on the server, so it shows without JavaScript), and the trades.
enum BacktestPage {
    /// The form's starting values: settings defaults, never market figures (a grid's range is the
    /// user's to choose).
    static let defaults = [
        "symbol": "BTCUSDT", "fast": "9", "slow": "21", "fee": "0.001", "cash": "10000",
        "grid_lower": "", "grid_upper": "", "grid_levels": "10", "grid_investment": "", "grid_stop_loss": "", "grid_take_profit": "",
        "dca_base_order": "100", "dca_safety_orders": "3", "dca_deviation": "1", "dca_step_scale": "1", "dca_volume_scale": "1",
        "dca_take_profit": "1.5", "dca_trailing": "", "dca_stop_loss": "", "dca_max_deals": "1", "dca_start_fast": "9", "dca_start_slow": "21",
    ]

    static func render(
        viewer: Layout.Viewer, form: [String: String], result: (BacktestController.Request, BacktestController.Outcome)?, error: String?, bias: BiasReport? = nil
    ) -> String {
        let now = String(Timestamp.string(Date()).prefix(19)) + "Z"
        let weekAgo = String(Timestamp.string(Date().addingTimeInterval(-7 * 86_400)).prefix(10))
        let defaults = Self.defaults.merging(["start": weekAgo, "end": now]) { $1 }
        let strategy = form["strategy"] ?? "sma_cross"
        var c: [String: Any] = [
            "csrf": viewer.csrfToken, "form": defaults.merging(form.filter { defaults[$0.key] != nil }) { $1 }, "ml": strategy == "ml",
            "gridChosen": strategy == "grid", "dcaChosen": strategy == "dca", "geometric": form["grid_spacing"] == "geometric", "trailUp": form["grid_trail"] == "up",
            "dcaStarts": BotForm.choices["start", default: []].filter { $0 != "signal" }.map {
                ["value": $0, "label": t("bots.start.\($0)"), "selected": $0 == (form["dca_start"] ?? "immediately")] as [String: Any]
            },
            "intervals": BotSettings.intervals.map { ["name": $0, "selected": $0 == (form["interval"] ?? "1h")] as [String: Any] },
        ]
        if let error { c["error"] = error }
        if let bias { c["bias"] = biasContext(bias) }
        if let (request, outcome) = result {
            let result = outcome.result
            let hold = outcome.buyAndHold
            let m = result.metrics
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
            func num(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "— (\(t("backtest.undefined")))" }
            func time(_ ms: Int64) -> String { Timestamp.string(Date(timeIntervalSince1970: TimeInterval(ms) / 1000)) }
            var r: [String: Any] = [
                "heading": t("backtest.heading", ["symbol": request.symbol, "interval": request.interval, "n": String(result.equity.count), "strategy": request.strategy.name]),
                "totalReturn": pct(m.totalReturn), "buyAndHold": pct(m.buyAndHoldReturn), "maxDrawdown": pct(m.maxDrawdown), "trades": String(m.trades),
                "sharpe": num(m.sharpe), "sortino": num(m.sortino), "winRate": pct(m.winRate), "profitFactor": num(m.profitFactor),
                "rows": result.trades.suffix(200).map { trade -> [String: Any] in
                    [
                        "entry": time(trade.entryTime), "exit": time(trade.exitTime), "entryPrice": String(format: "%.2f", trade.entryPrice),
                        "exitPrice": String(format: "%.2f", trade.exitPrice), "qty": String(format: "%.6f", trade.qty), "pnl": String(format: "%.2f", trade.pnl),
                    ]
                },
            ]
            if let equity = chart(result.equity, buyAndHold: hold) { r["equity"] = equity }
            if let grid = outcome.grid { r["grid"] = gridContext(grid) }
            if let dca = outcome.dca { r["dca"] = dcaContext(dca) }
            c["result"] = r
        }
        return Layout.page(title: t("backtest.title"), active: "/backtest", viewer: viewer, freshness: nil, content: Views.render("backtest", c))
    }

    /// The equity curve's SVG polylines (at most 1000 points each) and their labels.
    static func chart(_ equity: [Double], buyAndHold: [Double]?) -> [String: Any]? {
        let other = buyAndHold ?? []
        guard equity.count > 1, let low = (equity + other).min(), let high = (equity + other).max() else { return nil }
        let span = max(high - low, 1e-9)
        func line(_ series: [Double]) -> String {
            let step = max(1, series.count / 1000)
            let last = Double(series.count - 1)
            return stride(from: 0, to: series.count, by: step).map { i in
                String(format: "%.1f,%.1f", Double(i) / last * 800, 195 - (series[i] - low) / span * 190)
            }.joined(separator: " ")
        }
        var chart: [String: Any] = [
            "points": line(equity),
            "label": t("backtest.chart_label", ["from": String(format: "%.2f", equity.first!), "to": String(format: "%.2f", equity.last!)]),
            "caption": t("backtest.chart_caption", ["low": String(format: "%.2f", low), "high": String(format: "%.2f", high)]),
        ]
        if other.count == equity.count { chart["hold"] = line(other) }
        return chart
    }

    static func cents(_ value: Decimal) -> String {
        SymbolFilters.round(value, step: Decimal(string: "0.01")!, .plain).description
    }

    static func time(_ milliseconds: Int64) -> String {
        Timestamp.string(Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
    }

    /// A grid's cycles, profit and its last 500 fills with their levels.
    static func gridContext(_ grid: GridBacktest.Result) -> [String: Any] {
        [
            "cycles": String(grid.cycles.count), "profit": cents(grid.gridProfit), "opening": grid.openingPurchase.description,
            "ended": grid.ended ?? t("grid.not_ended"), "levels": grid.levels.map(\.description).joined(separator: " · "),
            "moves": grid.moves.last.map { last in
                t("grid.moved", ["n": String(grid.moves.count), "levels": last.levels.map(\.description).joined(separator: " · ")])
            } ?? "",
            "fills": grid.fills.suffix(500).map { fill -> [String: Any] in
                [
                    "time": time(fill.time), "level": fill.range == 0 ? String(fill.level) : "\(fill.level) (\(t("grid.range")) \(fill.range))", "side": fill.side.rawValue, "price": fill.price.description,
                    "qty": fill.quantity.description, "fee": cents(fill.fee),
                ]
            },
        ]
    }

    /// A DCA bot's deals, the last 500.
    static func dcaContext(_ dca: DCABacktest.Result) -> [String: Any] {
        [
            "deals": dca.deals.suffix(500).map { deal -> [String: Any] in
                [
                    "opened": time(deal.opened), "closed": deal.closed.map(time) ?? t("dca.open"), "entry": deal.entry.description,
                    "average": deal.average.map(cents) ?? "—", "safety": String(deal.safetyFilled), "takeProfit": deal.takeProfitPrice?.description ?? "—",
                    "pnl": deal.pnl.map(cents) ?? "—", "reason": deal.reason ?? "—",
                ]
            }
        ]
    }

    /// A bias check's verdict and what differed.
    static func biasContext(_ r: BiasReport) -> [String: Any] {
        var c: [String: Any] = [
            "hasFindings": !r.passed, "verdict": r.passed ? t("bias.passed", ["strategy": r.strategy]) : t("bias.failed", ["strategy": r.strategy]), "passed": r.passed,
            "scope": t("bias.scope", ["n": String(r.candles), "cuts": String(r.cuts.count), "starts": String(r.starts.count), "warm": String(r.warmUp)]),
            "findings": (r.lookahead + r.recursive).prefix(50).map { f -> [String: Any] in
                [
                    "kind": t("bias.kind.\(f.kind)"), "candle": String(f.candle), "time": Timestamp.string(f.time), "feature": f.feature,
                    "full": f.full.map { "\($0)" } ?? "—", "other": f.other.map { "\($0)" } ?? "—",
                ]
            },
        ]
        if let note = r.recursiveNote { c["note"] = t("bias.recursive_note", ["note": note]) }
        return c
    }
}
