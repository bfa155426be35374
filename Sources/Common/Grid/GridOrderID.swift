/// The client order ids of a grid's orders: `u<user>-<symbol>-<grid>-G<cell><B|S><sequence>`
/// (cell and sequence in lower-case base 36, so that the side letter stands out), and `…-GO` for the opening purchase. The same order of the
/// same grid has the same id in every process and after every restart, so a restarted worker
/// finds each cell's orders by asking the exchange for them.
public enum GridOrderID {
    public static func make(user: Int64, symbol: String, grid: Int64, cell: Int, side: SymbolFilters.Side, sequence: Int) -> String {
        let purpose = "G" + String(cell, radix: 36) + (side == .buy ? "B" : "S") + String(sequence, radix: 36)
        return ClientOrderID.make(user: user, symbol: symbol, key: grid, purpose: purpose)
    }

    public static func opening(user: Int64, symbol: String, grid: Int64) -> String {
        ClientOrderID.make(user: user, symbol: symbol, key: grid, purpose: "GO")
    }

    /// The cell, side and sequence an id names, or nil for any other id.
    public static func parse(_ clientOrderID: String) -> (cell: Int, side: SymbolFilters.Side, sequence: Int)? {
        guard let purpose = clientOrderID.split(separator: "-").last, purpose.first == "G",
            let mark = purpose.dropFirst().firstIndex(where: { $0 == "B" || $0 == "S" }),
            let cell = Int(purpose[purpose.index(after: purpose.startIndex)..<mark], radix: 36),
            let sequence = Int(purpose[purpose.index(after: mark)...], radix: 36)
        else { return nil }
        return (cell, purpose[mark] == "B" ? .buy : .sell, sequence)
    }
}
