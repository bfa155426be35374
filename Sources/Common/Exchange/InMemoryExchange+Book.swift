import Foundation

extension InMemoryExchange {
    struct Balance {
        var free: Decimal = 0
        var locked: Decimal = 0
    }

    /// An order as the book keeps it; `report` is how the exchange would show it.
    struct Order {
        var symbol: String
        var orderID: Int64
        var clientOrderID: String
        var side: SymbolFilters.Side
        var type: String
        var status: OrderStatus = .new
        /// The limit price; 0 for MARKET, STOP_LOSS and TAKE_PROFIT.
        var price: Decimal
        var quantity: Decimal
        var stopPrice: Decimal?
        var trailingDelta: Int?
        var timeInForce: String?
        var listID: Int64 = -1
        var time: Int64
        var executed: Decimal = 0
        var quote: Decimal = 0
        var fills: [OrderReport.Fill] = []
        /// What it holds of `lockAsset`; released when it ends.
        var locked: Decimal = 0
        var lockAsset: String
        var triggered = false
        /// A trailing stop's best price since tracking began; nil before.
        var best: Decimal?

        var isConditional: Bool { ConditionalOrder.Trigger(rawValue: type) != nil }

        var report: OrderReport {
            OrderReport(
                symbol: symbol, orderID: orderID, clientOrderID: clientOrderID, side: side.rawValue, type: type, status: status.rawValue,
                price: price, origQty: quantity, executedQty: executed, cumulativeQuoteQty: quote, fills: fills, orderListID: listID,
                stopPrice: stopPrice, time: time)
        }
    }

    struct OrderList {
        var id: Int64
        var listClientOrderID: String
        var symbol: String
        /// Indices into `Book.orders`.
        var members: [Int]
        var time: Int64
        var isOpen = true
    }

    /// Everything the exchange holds, behind the one lock.
    struct Book {
        var now: Int64 = 0
        var symbols: [String: SymbolFilters] = [:]
        var prices: [String: Decimal] = [:]
        var klines: [String: [Kline]] = [:]
        var balances: [String: Balance] = [:]
        var orders: [Order] = []
        var lists: [OrderList] = []
        var trades: [TradeReport] = []
        var fault: ExchangeError?
        var dropAnswer = false

        static let invalidSymbol = ExchangeError.rejected(code: -1121, message: "Invalid symbol.")
        static let insufficientBalance = ExchangeError.rejected(code: -2010, message: "Account has insufficient balance for requested action.")

        /// The most recent order with this client id (ids may repeat once the first has ended).
        func latest(symbol: String, clientOrderID: String) -> Int? {
            orders.lastIndex { $0.symbol == symbol && $0.clientOrderID == clientOrderID }
        }

        func report(list index: Int, withOrders: Bool) -> OrderListReport {
            let list = lists[index]
            return OrderListReport(
                orderListID: list.id, contingencyType: "OCO", listStatusType: list.isOpen ? "EXEC_STARTED" : "ALL_DONE",
                listOrderStatus: list.isOpen ? "EXECUTING" : "ALL_DONE", listClientOrderID: list.listClientOrderID, symbol: list.symbol,
                orders: list.members.map { OrderListReport.Member(orderID: orders[$0].orderID, clientOrderID: orders[$0].clientOrderID) },
                orderReports: withOrders ? list.members.map { orders[$0].report } : [])
        }

        /// Checks an order as Binance would before it touches any balance, and builds it.
        func make(_ new: NewOrder, listID: Int64 = -1) throws(ExchangeError) -> Order {
            guard let filters = symbols[new.symbol], let current = prices[new.symbol] else { throw Self.invalidSymbol }
            if orders.contains(where: { $0.clientOrderID == new.clientOrderID && $0.status.isOpen }) {
                throw .rejected(code: -2010, message: "Duplicate order sent.")
            }
            let buys = new.side == .buy
            var order = Order(
                symbol: new.symbol, orderID: Int64(orders.count + 1), clientOrderID: new.clientOrderID, side: new.side, type: "MARKET",
                price: 0, quantity: 0, listID: listID, time: now, lockAsset: buys ? filters.quoteAsset : filters.baseAsset)
            switch new.kind {
            case .market(let quantity):
                order.quantity = quantity
            case .marketQuote(let quote):
                order.quantity = filters.roundQuantity(quote / current)
            case .limit(let quantity, let price, let timeInForce):
                (order.type, order.quantity, order.price, order.timeInForce) = ("LIMIT", quantity, price, timeInForce)
            case .limitMaker(let quantity, let price):
                (order.type, order.quantity, order.price) = ("LIMIT_MAKER", quantity, price)
                if Self.crosses(order, at: current) { throw .rejected(code: -2010, message: "Order would immediately match and take.") }
            case .conditional(let conditional):
                (order.type, order.quantity, order.stopPrice, order.trailingDelta) = (
                    conditional.trigger.rawValue, conditional.quantity, conditional.stopPrice, conditional.trailingDelta
                )
                if conditional.trigger.isLimit { (order.price, order.timeInForce) = (conditional.limitPrice ?? 0, conditional.timeInForce ?? "GTC") }
                if conditional.stopPrice == nil && conditional.trailingDelta == nil {
                    throw .rejected(code: -1102, message: "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.")
                }
                if let stop = conditional.stopPrice, conditional.trailingDelta == nil, Self.stopReached(order, stop, at: current) {
                    throw .rejected(code: -2010, message: "Order would trigger immediately.")
                }
            }
            try Self.checkFilters(order, filters, current)
            return order
        }

        static func checkFilters(_ order: Order, _ filters: SymbolFilters, _ current: Decimal) throws(ExchangeError) {
            do {
                try filters.check(quantity: order.quantity, price: order.price > 0 ? order.price : order.stopPrice ?? current, isMarket: order.price == 0)
                if let stop = order.stopPrice { try filters.check(quantity: order.quantity, price: stop, isMarket: false) }
            } catch {
                throw .rejected(code: -1013, message: error.description)
            }
        }

        /// What an order must hold: a sell its base quantity, a buy the quote at its price.
        func required(_ order: Order) -> Decimal {
            guard order.side == .buy else { return order.quantity }
            let price = order.price > 0 ? order.price : order.stopPrice ?? prices[order.symbol] ?? 0
            return order.quantity * price
        }

        /// Moves `amount` of `asset` from free to locked, or refuses as Binance does.
        mutating func lock(_ amount: Decimal, of asset: String) throws(ExchangeError) {
            guard balances[asset, default: Balance()].free >= amount else { throw Self.insufficientBalance }
            balances[asset, default: Balance()].free -= amount
            balances[asset, default: Balance()].locked += amount
        }

        /// Places an order and matches it at once against the current price.
        mutating func admit(_ new: NewOrder) throws(ExchangeError) -> Int {
            var order = try make(new)
            order.locked = required(order)
            try lock(order.locked, of: order.lockAsset)
            orders.append(order)
            let index = orders.count - 1
            executeOnArrival(index)
            return index
        }

        /// Places an OCO: both legs checked first, one lock for the shared quantity (the larger
        /// of the two legs' needs, for a buy), held by the first leg.
        mutating func admit(_ list: NewOCO) throws(ExchangeError) -> Int {
            guard symbols[list.symbol] != nil, let current = prices[list.symbol] else { throw Self.invalidSymbol }
            if lists.contains(where: { $0.listClientOrderID == list.listClientOrderID && $0.isOpen }) {
                throw .rejected(code: -2010, message: "Duplicate order sent.")
            }
            // Binance checks where the legs sit before anything else about them.
            let above = list.above.stopPrice ?? list.above.price, below = list.below.stopPrice ?? list.below.price
            guard above.map({ $0 > current }) ?? true, below.map({ $0 < current }) ?? true, list.above.clientOrderID != list.below.clientOrderID else {
                throw .rejected(code: -2010, message: "The relationship of the prices for the orders is not correct.")
            }
            let id = Int64(lists.count + 1)
            var first = try make(try Self.order(list, list.above), listID: id)
            var second = try make(try Self.order(list, list.below), listID: id)
            second.orderID += 1
            guard first.isConditional || second.isConditional else {
                throw .rejected(code: -1168, message: "At least one OCO order must be contingent.")
            }
            first.locked = max(required(first), required(second))
            try lock(first.locked, of: first.lockAsset)
            orders.append(contentsOf: [first, second])
            lists.append(
                OrderList(id: id, listClientOrderID: list.listClientOrderID, symbol: list.symbol, members: [orders.count - 2, orders.count - 1], time: now))
            return lists.count - 1
        }

        static func order(_ list: NewOCO, _ leg: NewOCO.Leg) throws(ExchangeError) -> NewOrder {
            let kind: NewOrder.Kind
            if leg.type == "LIMIT_MAKER", let price = leg.price {
                kind = .limitMaker(quantity: list.quantity, price: price)
            } else if let trigger = ConditionalOrder.Trigger(rawValue: leg.type) {
                kind = .conditional(
                    ConditionalOrder(
                        trigger: trigger, quantity: list.quantity, stopPrice: leg.stopPrice, trailingDelta: leg.trailingDelta, limitPrice: leg.price,
                        timeInForce: leg.timeInForce))
            } else {
                throw .rejected(code: -1158, message: "Order type not supported in OCO.")
            }
            return NewOrder(symbol: list.symbol, side: list.side, kind: kind, clientOrderID: leg.clientOrderID)
        }

        /// Cancels an open order; a leg of a list takes the whole list with it, as on Binance.
        mutating func cancel(symbol: String, clientOrderID: String) throws(ExchangeError) -> Int {
            guard symbols[symbol] != nil else { throw Self.invalidSymbol }
            guard let index = latest(symbol: symbol, clientOrderID: clientOrderID), orders[index].status.isOpen else {
                throw .rejected(code: -2011, message: "Unknown order sent.")
            }
            end(index, .canceled)
            endSiblings(of: index, .canceled)
            return index
        }
    }
}
