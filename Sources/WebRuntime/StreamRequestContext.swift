import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of `/api/v1/stream`: the basic WebSocket context, and the connection's channel, so that a
/// client that takes no frame can be cut off (a close frame cannot reach a client whose window is full).
struct StreamRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
