import Foundation

/// What a subscriber's stream carries: a numbered event, or a keep-alive.
enum HubMessage: Sendable, Equatable {
    case event(LiveEventID, LiveEvent)
    case ping
}

/// A connection's start: what to send before the live events (see ``EventReplayLog``), the id
/// the connection holds after that, and the live events.
struct LiveSubscription: Sendable {
    /// The subscriber's id in the hub (for ``EventHub/unsubscribe(_:_:now:)``).
    let id: UUID
    let decision: EventReplayLog.Decision
    let mark: LiveEventID
    let messages: AsyncStream<HubMessage>
}
