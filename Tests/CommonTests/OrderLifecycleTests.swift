import Common
import Testing

@Suite struct OrderLifecycleTests {
    /// Every legal move, written out by hand (not read from `successors`): row = from, column =
    /// to, in `OrderStatus.allCases` order: intent, unknown, notPlaced, pendingNew, new,
    /// partiallyFilled, filled, canceled, rejected, expired, expiredInMatch.
    static let table: [(OrderStatus, String)] = [
        (.intent, "11111111111"),
        (.unknown, "01111111011"),
        (.notPlaced, "00100000000"),
        (.pendingNew, "00011111111"),
        (.new, "00001111011"),
        (.partiallyFilled, "00000111011"),
        (.filled, "00000010000"),
        (.canceled, "00000001000"),
        (.rejected, "00000000100"),
        (.expired, "00000000010"),
        (.expiredInMatch, "00000000001"),
    ]

    static func expected(_ from: OrderStatus, _ to: OrderStatus) -> Bool {
        let row = table.first { $0.0 == from }!.1
        let column = OrderStatus.allCases.firstIndex(of: to)!
        return Array(row)[column] == "1"
    }

    @Test func theTableCoversEveryStatusInOrder() {
        #expect(Self.table.map(\.0) == OrderStatus.allCases)
        #expect(Self.table.allSatisfy { $0.1.count == OrderStatus.allCases.count })
    }

    @Test(arguments: OrderStatus.allCases, OrderStatus.allCases)
    func canMoveMatchesTheTable(from: OrderStatus, to: OrderStatus) {
        #expect(from.canMove(to: to) == Self.expected(from, to), "\(from) → \(to)")
    }

    @Test(arguments: OrderStatus.allCases, OrderStatus.allCases)
    func aReportMovesExactlyWhereTheTableAllows(from: OrderStatus, to: OrderStatus) {
        var lifecycle = OrderLifecycle(from)
        let outcome = lifecycle.apply(.reported(to))
        if Self.expected(from, to) {
            #expect(outcome == .moved(from: from, to: to))
            #expect(lifecycle.status == to)
        } else {
            #expect(outcome == .illegal(from: from, event: .reported(to)))
            #expect(lifecycle.status == from)
        }
    }

    @Test(arguments: OrderStatus.allCases)
    func noAnswerMakesOnlyAnIntentUnknown(from: OrderStatus) {
        var lifecycle = OrderLifecycle(from)
        let outcome = lifecycle.apply(.noAnswer)
        if from == .intent {
            #expect(outcome == .moved(from: .intent, to: .unknown))
        } else {
            #expect(outcome == .illegal(from: from, event: .noAnswer))
            #expect(lifecycle.status == from)
        }
    }

    @Test(arguments: OrderStatus.allCases)
    func aRefusalRejectsOnlyAnIntentOrAPendingOrder(from: OrderStatus) {
        var lifecycle = OrderLifecycle(from)
        let outcome = lifecycle.apply(.refused)
        if from == .intent || from == .pendingNew {
            #expect(outcome == .moved(from: from, to: .rejected))
            #expect(lifecycle.status == .rejected)
        } else {
            #expect(outcome == .illegal(from: from, event: .refused))
            #expect(lifecycle.status == from)
        }
    }

    @Test(arguments: OrderStatus.allCases)
    func notFoundWithinTheGraceChangesNothing(from: OrderStatus) {
        for seconds in [0, 5, OrderLifecycle.unknownGrace] {
            var lifecycle = OrderLifecycle(from)
            let outcome = lifecycle.apply(.notFound(secondsSinceSent: seconds))
            #expect(outcome == (from == .intent || from == .unknown ? .unchanged : .illegal(from: from, event: .notFound(secondsSinceSent: seconds))))
            #expect(lifecycle.status == from)
        }
    }

    @Test(arguments: OrderStatus.allCases)
    func notFoundAfterTheGraceMeansNeverPlaced(from: OrderStatus) {
        var lifecycle = OrderLifecycle(from)
        let event = OrderEvent.notFound(secondsSinceSent: OrderLifecycle.unknownGrace + 0.5)
        let outcome = lifecycle.apply(event)
        if from == .intent || from == .unknown {
            #expect(outcome == .moved(from: from, to: .notPlaced))
            #expect(lifecycle.status == .notPlaced)
        } else {
            #expect(outcome == .illegal(from: from, event: event))
            #expect(lifecycle.status == from)
        }
    }

    @Test func aFinalStatusNeverReopens() {
        let events: [OrderEvent] =
            OrderStatus.allCases.map { .reported($0) } + [.noAnswer, .refused, .notFound(secondsSinceSent: 1), .notFound(secondsSinceSent: 60)]
        let finals = OrderStatus.allCases.filter(\.isFinal)
        #expect(Set(finals) == [.notPlaced, .filled, .canceled, .rejected, .expired, .expiredInMatch])
        for final in finals {
            for event in events {
                var lifecycle = OrderLifecycle(final)
                lifecycle.apply(event)
                #expect(lifecycle.status == final, "\(final) after \(event)")
            }
        }
    }

    @Test(arguments: OrderStatus.exchangeStatuses)
    func aReplayedReportIsANoOp(status: OrderStatus) {
        var lifecycle = OrderLifecycle(.intent)
        lifecycle.apply(.reported(status))
        let before = lifecycle
        #expect(lifecycle.apply(.reported(status)) == .moved(from: status, to: status))
        #expect(lifecycle == before)
    }

    @Test func aStaleReportCannotUndoAFill() {
        var lifecycle = OrderLifecycle(.intent)
        lifecycle.apply(.noAnswer)
        lifecycle.apply(.reported(.new))
        lifecycle.apply(.reported(.filled))
        #expect(lifecycle.apply(.reported(.new)) == .illegal(from: .filled, event: .reported(.new)))
        #expect(lifecycle.status == .filled)
    }
}
