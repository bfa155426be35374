/// Whose rows a worker's report carries. The worker runs the user's first bot (`sma_cross`/`ml`)
/// and the user's grid and DCA bots (``WorkerReport``): a row is the first bot's unless it claims
/// one of the user's live grid or DCA bots and, for an order or fill, its client order id is one
/// of that user's bot orders (`u<user>-…-G…`/`-D…`, ``OrderPurpose/isOtherBots(user:)``); a
/// signal (a DCA bot's start strategy) has no order id. A claim of another user's bot, of a paper
/// bot (its figures never join the real ones) or of the first bot's own order counts for nothing.
public enum RowOwner {
    public static func bot(claim: (bot: Int64, clientOrderID: String?)?, user: Int64, firstBot: Int64?, liveHostedBots: Set<Int64>) -> Int64? {
        guard let claim, liveHostedBots.contains(claim.bot) else { return firstBot }
        if let id = claim.clientOrderID, !OrderPurpose(id).isOtherBots(user: user) { return firstBot }
        return claim.bot
    }
}
