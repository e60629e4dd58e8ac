import NIOCore
import WebView

/// Answers 408 and closes a connection whose first request head has not fully arrived `limit` after its first byte
/// (slow headers, as a slowloris client sends them), then leaves the pipeline once the head is in.
///
/// It sits before the HTTP codec, so it reads the plain bytes (after TLS) and answers below the HTTP encoder. A
/// connection that sends nothing is the idle timeout's business, and so are later requests on a kept-alive connection
/// (the idle timeout closes those at most 30 s after their last complete part).
final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: TimeAmount
    private let expired: @Sendable () -> Void
    private var deadline: Scheduled<Void>?
    private var finished = false
    /// Bytes of the current header line so far, carriage returns aside.
    private var lineLength = 0
    /// Whether a line with something on it has ended: the next empty line ends the head.
    private var sawLine = false

    /// - Parameter expired: called when a connection is answered 408 (for the server's counters).
    init(limit: TimeAmount, expired: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.expired = expired
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return context.fireChannelRead(data) }
        if deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [self] in expire(context) }
        }
        let headEnded = scan(unwrapInboundIn(data))
        context.fireChannelRead(data)
        if headEnded {
            finish()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    /// Whether `buffer` completes the head: an empty line after the request line (CR LF or a bare LF, as the decoder
    /// takes either; empty lines before the request line do not count).
    private func scan(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\n"):
                    if lineLength == 0 && sawLine { return true }
                    if lineLength > 0 { sawLine = true }
                    lineLength = 0
                case UInt8(ascii: "\r"):
                    break
                default:
                    lineLength += 1
                }
            }
            return false
        }
    }

    private func finish() {
        finished = true
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        guard !finished else { return }
        finish()
        expired()
        let seconds = Double(limit.nanoseconds) / 1e9
        let limitText = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        let problem = APIProblem(status: 408, title: "Request Timeout", detail: "the request's headers did not arrive within \(limitText) s of its first byte")
        var answer = context.channel.allocator.buffer(capacity: 256 + problem.document.count)
        answer.writeString("HTTP/1.1 408 Request Timeout\r\ncontent-type: \(APIProblem.contentType)\r\ncontent-length: \(problem.document.count)\r\nconnection: close\r\n\r\n")
        answer.writeBytes(problem.document)
        context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
