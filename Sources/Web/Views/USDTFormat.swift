import Foundation

/// Amounts in USDT as the pages write them: to the cent, and PnL with an explicit sign and a tone
/// (gain, loss or flat) for its colour.
enum USDTFormat {
    static func value(_ amount: Decimal) -> String {
        NumberText.fixed(amount, places: 2)
    }

    /// "+12.30", "−4.10" (a true minus sign), "0.00": a figure whose sign matters.
    static func signed(_ amount: Decimal) -> String {
        let text = NumberText.fixed(amount, places: 2)
        if text.hasPrefix("-") { return "\u{2212}" + text.dropFirst() }
        return tone(amount) == .gain ? "+" + text : text
    }

    enum Tone: String {
        case gain, loss, flat
    }

    /// By the figure as shown: −0.004 rounds to "0.00" and is flat, not a loss.
    static func tone(_ amount: Decimal) -> Tone {
        let text = NumberText.fixed(amount, places: 2)
        if text.allSatisfy({ $0 == "0" || $0 == "." || $0 == "-" }) { return .flat }
        return amount < 0 ? .loss : .gain
    }

    /// The context a template shows a signed figure with: `{{text}}` in `class="pnl {{tone}}"`.
    static func signedContext(_ amount: Decimal) -> [String: Any] {
        ["text": signed(amount), "tone": tone(amount).rawValue]
    }
}
