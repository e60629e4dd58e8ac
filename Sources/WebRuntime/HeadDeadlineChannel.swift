import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A server child channel that sets up `base` and puts a ``RequestHeadDeadline`` before its HTTP codec.
struct HeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let limit: TimeAmount
    let expired: @Sendable () -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { [limit, expired] value in
            let pipeline = channel.pipeline.syncOperations
            // Before the encoder (which comes before the decoder): its answer goes out as bytes.
            let encoder = try pipeline.handler(type: HTTPResponseEncoder.self)
            try pipeline.addHandler(RequestHeadDeadline(limit: limit, expired: expired), position: .before(encoder))
            return value
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
