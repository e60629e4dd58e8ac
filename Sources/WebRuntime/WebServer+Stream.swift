import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOWebSocket
import Synchronization
import TwinModel
import WebView

extension WebServer {
    /// The largest message a stream client may send; a larger one closes the socket (1009), counted.
    static let maximumStreamMessage = 64 * 1024
    /// The largest frame read at all (a larger one is refused by the WebSocket decoder before it is buffered, 1009): a
    /// frame up to it is read whole, so that one too large for ``maximumStreamMessage`` can be counted.
    static let maximumFrame = 1024 * 1024

    /// The WebSocket routes: `/api/v1/stream`.
    func makeWebSocketRouter() -> Router<StreamRequestContext> {
        let router = Router(context: StreamRequestContext.self)
        let allowed = Set(options.corsOrigins), stallTimeout = options.streamStallTimeout
        router.ws("api/v1/stream", shouldUpgrade: { request, _ in
            // A WebSocket has no CORS: a page of another origin is refused here unless allowed.
            OriginMiddleware<StreamRequestContext>.mayUpgrade(request, allowed: allowed) ? .upgrade([:]) : .dontUpgrade
        }) { [self] inbound, outbound, context in
            counters.streamOpened()
            let pump = StreamPump(server: self)
            defer {
                counters.streamClosed()
                let (refused, resyncs) = pump.session.withLock { ($0.refused, $0.resyncs) }
                counters.noteSessionEnded(refused: refused, resyncs: resyncs)
            }
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: Self.maximumFrame) {
                            let bytes: [UInt8]
                            switch message {
                            case .text(let text): bytes = Array(text.utf8)
                            case .binary(let buffer):
                                bytes = buffer.readableBytes > Self.maximumStreamMessage ? [] : Array(#"{"op":"binary (send JSON text frames)"}"#.utf8)
                            }
                            guard bytes.count <= Self.maximumStreamMessage, !(bytes.isEmpty && !isText(message)) else { throw OversizedMessage() }
                            // A client that sends without reading fills no queue: past a bound it is closed (1008).
                            guard pump.receive(bytes) else { throw FloodingClient() }
                        }
                    }
                    group.addTask {
                        try await pump.run(stallTimeout: stallTimeout, send: { frame in
                            if frame.count <= Self.maximumFrame {
                                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: frame))))
                            } else {
                                // Split into frames of at most the server's frame size.
                                try await outbound.writeTextMessage(String(decoding: frame, as: UTF8.self))
                            }
                        }, stalled: {
                            // The close frame goes out if the socket still takes it; either way the connection closes,
                            // which fails the send that waits.
                            let channel = context.requestContext.channel
                            Task { try? await outbound.close(.unknown(1013), reason: "too slow: no frame taken for \(stallTimeout)") }
                            try? await Task.sleep(for: .milliseconds(100))
                            try? await channel.close()
                        })
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            } catch is FloodingClient {
                counters.noteFlooding()
                try? await outbound.close(.policyViolation, reason: "too many messages unanswered: read the replies")
            } catch is OversizedMessage {
                counters.noteOversized()
                try? await outbound.close(.messageTooLarge, reason: "a message is at most \(Self.maximumStreamMessage) bytes")
            } catch is StreamStalled {
                // Counted below: closing the connection may end the reading task first, with no error of its own.
            } catch {
                logger.debug("stream ended: \(error)")
            }
            if pump.stalled {
                counters.noteStalled()
                logger.info("closed a stream (1013): no frame taken for \(stallTimeout)")
            }
        }
        return router
    }

    /// `GET /api/v1/events?path=&kinds=&twins=&fields=&max_rate=`: the stream's messages as Server-Sent Events (the
    /// event is the message's type), for clients without WebSockets. One subscription, named `events`. A client that
    /// leaves 256 events untaken is disconnected.
    func events(_ request: Request) throws -> Response {
        let query = Self.query(request)
        try WebAPI.checkQuery(query, allowed: ["path", "kinds", "twins", "fields", "max_rate"])
        var json = JSONWriter()
        json.open()
        json.field("op", string: "subscribe")
        json.field("id", string: "events")
        json.key("filter")
        json.open()
        /// A comma-separated parameter as the message's array of strings.
        func list(_ name: String) {
            guard let text = query[name] else { return }
            json.key(name)
            json.openArray()
            for item in text.split(separator: ",") { json.element(string: String(item)) }
            json.closeArray()
        }
        if let path = query["path"] { json.field("path", string: path) }
        list("kinds")
        list("twins")
        json.close()
        list("fields")
        if let rate = query["max_rate"] {
            guard let number = Double(rate), number.isFinite else {
                throw APIProblem.badRequest("max_rate must be a number, not '\(rate)'", at: "query:max_rate")
            }
            json.field("max_rate", number: number)
        }
        json.close()
        do throws(StreamRequest.Refusal) {
            _ = try StreamRequest(json.fragment)
        } catch {
            // `/filter/path` → `query:path`, `/fields/2` → `query:fields`.
            let parts = error.pointer.split(separator: "/")
            let parameter = parts.first == "filter" ? parts.dropFirst().first : parts.first
            throw APIProblem.badRequest(error.reason, at: "query:\(parameter.map(String.init) ?? "")")
        }
        let pump = StreamPump(server: self)
        pump.receive(json.fragment)
        // Bounded: a client that does not read fills it, and the stream ends instead of queueing.
        let (events, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(256))
        counters.streamOpened()
        let stallTimeout = options.streamStallTimeout
        let pumping = Task { [self] in
            defer {
                counters.streamClosed()
                let (refused, resyncs) = pump.session.withLock { ($0.refused, $0.resyncs) }
                counters.noteSessionEnded(refused: refused, resyncs: resyncs)
                sink.finish()
            }
            do {
                try await pump.run(stallTimeout: stallTimeout) { frame in
                    let type = Self.type(of: frame)
                    // One `data:` line per line of the message: a document with a line break in it cannot end the event.
                    let data = String(decoding: frame, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                        .map { "data: \($0)\n" }.joined()
                    guard case .enqueued = sink.yield(ByteBuffer(string: "event: \(type)\n\(data)\n")) else {
                        throw StreamStalled(limit: stallTimeout)
                    }
                }
            } catch is StreamStalled {
                counters.noteStalled()
            } catch {
                logger.debug("event stream ended: \(error)")
            }
        }
        sink.onTermination = { _ in pumping.cancel() }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody(asyncSequence: events))
    }

    /// The `type` of a stream message (its first member, as the session writes it).
    static func type(of frame: [UInt8]) -> String {
        let prefix = Array(#"{"type":""#.utf8)
        guard frame.starts(with: prefix), let end = frame[prefix.count...].firstIndex(of: UInt8(ascii: "\"")) else { return "message" }
        return String(decoding: frame[prefix.count..<end], as: UTF8.self)
    }
}

/// A stream client sent a message larger than ``WebServer/maximumStreamMessage``.
struct OversizedMessage: Error {}

/// A stream client sent more messages than its unread replies may hold.
struct FloodingClient: Error {}

/// Whether a WebSocket message is text.
private func isText(_ message: WebSocketMessage) -> Bool {
    if case .text = message { return true }
    return false
}
