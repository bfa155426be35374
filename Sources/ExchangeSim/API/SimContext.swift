import Hummingbird
import NIOCore

/// The simulator's request context: Binance counts request weight per client address.
struct SimContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The connection, so that an injected outage can reset it.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
