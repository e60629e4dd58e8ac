import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinModel
@testable import WebRuntime

/// `/api/v1/stream` over a real WebSocket and `/api/v1/events` as Server-Sent Events, beside a real broker and twin
/// service, the test playing the machine.
@Suite("Web stream", .serialized, .timeLimit(.minutes(2)))
struct WebStreamTests {
    /// The stream's messages as a client receives them, to await one by one.
    final class Received: Sendable {
        /// A message read as JSON (immutable once read).
        struct Message: @unchecked Sendable {
            let object: [String: Any]
        }

        private let messages = Mutex<[Message]>([])
        /// Every message as it came.
        let texts = Mutex<[String]>([])
        private let (stream, sink) = AsyncStream.makeStream(of: Void.self)

        func add(_ text: String) {
            texts.withLock { $0.append(text) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
            messages.withLock { $0.append(Message(object: object)) }
            sink.yield()
        }

        func finish() { sink.finish() }

        /// The first message not yet taken that `accept` takes (the others stay for later calls).
        func next(_ what: String, where accept: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
            try await within(.seconds(15), what) { [self] () async throws -> Message in
                var wakes = stream.makeAsyncIterator()
                while true {
                    let found: Message? = messages.withLock { messages in
                        guard let position = messages.firstIndex(where: { accept($0.object) }) else { return nil }
                        return messages.remove(at: position)
                    }
                    if let found { return found }
                    guard await wakes.next() != nil else { throw TimedOut(what: "\(what) (the stream ended)") }
                }
            }.object
        }
    }

    @Test("A snapshot, then deltas of what changed with revisions one apart, alert events at once, errors for bad messages")
    func webSocket() async throws {
        try await WebServerTests.withServedMachine { url, machine in
            let received = Received()
            let socket = "ws://127.0.0.1:\(url.port!)/api/v1/stream"
            let client = Task {
                try await WebSocketClient.connect(url: socket, logger: testLogger) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"op":"subscribe","id":"floor","filter":{"path":"site/#"},"fields":["state","readings"],"max_rate":20}"#))
                    try await outbound.write(.text(#"{"op":"subscribe","id":"bad","fields":["colour"]}"#))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { received.add(text) }
                    }
                    received.finish()
                }
            }
            defer { client.cancel() }
            let snapshot = try await received.next("the snapshot") { $0["type"] as? String == "snapshot" }
            #expect(snapshot["rev"] as? Int == 1 && snapshot["sub"] as? String == "floor")
            let twin = try #require((snapshot["twins"] as? [String: [String: Any]])?["site/area/line/cnc"])
            #expect(Set(twin.keys) == ["state", "readings"])
            let error = try await received.next("the error") { $0["type"] as? String == "error" }
            #expect(error["at"] as? String == "/fields/0" && error["sub"] as? String == "bad")

            try await machine.send(temperature: 61.5, samples: 1)
            let delta = try await received.next("a delta with the new temperature") { message in
                let readings = (message["twins"] as? [String: [String: Any]])?["site/area/line/cnc"]?["readings"] as? [String: [String: Any]]
                return message["type"] as? String == "delta" && readings?["spindle_temperature"]?["value"] as? Double == 61.5
            }
            #expect(delta["rev"] as? Int == 2, "one more than the snapshot's")
            try await machine.overheat()
            let alert = try await received.next("the raised alert") { $0["type"] as? String == "alert" }
            #expect((alert["event"] as? [String: Any])?["event"] as? String == "raised")

            let health = try await WebServerTests.request("GET", url, "/health")
            let streams = try #require((try health.json() as? [String: Any])?["streams"] as? [String: Int])
            #expect(streams["open"] == 1 && (streams["frames_sent"] ?? 0) >= 4)
            let contract = try WebServerTests.contract.get()
            for text in received.texts.withLock({ $0 }) { contract.checkStreamMessage(text) }
        }
    }

    @Test("The example client (examples/stream_client.py) prints the layout, the snapshot and a delta")
    func exampleClient() async throws {
        try await WebServerTests.withServedMachine { url, machine in
            let example = Process()
            example.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            example.arguments = ["python3", OpenAPIContract.root.appendingPathComponent("examples/stream_client.py").path,
                                 "http://127.0.0.1:\(url.port!)", "--count", "2"]
            let output = Pipe()
            example.standardOutput = output
            example.standardError = output
            let lines = LineReader(output)
            let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
            example.terminationHandler = { exited.yield($0.terminationStatus) }
            try example.run()
            defer { if example.isRunning { example.terminate() } }
            _ = try await lines.first("the example's snapshot") { $0.hasPrefix("snapshot rev 1") }
            // The next message is the delta this sample brings.
            try await machine.send(temperature: 62, samples: 1)
            _ = try await lines.first("the example's delta") { $0.hasPrefix("delta rev 2") }
            let status = try await within(.seconds(30), "the example to end") {
                for await status in exits { return status }
                throw TimedOut(what: "its exit")
            }
            let text = lines.text
            #expect(status == 0, "\(text)")
            #expect(text.contains("site/area/line/cnc"), "the layout is printed first: \(text)")
        }
    }

    @Test("A page of another origin cannot open the stream unless allowed; a client that sends without reading is cut off")
    func streamGuards() async throws {
        try await MosquittoBroker.withBroker { broker in
            try await WebServerTests.withWebServer(broker) { url in
                let socket = "ws://127.0.0.1:\(url.port!)/api/v1/stream"
                await #expect(throws: (any Error).self, "no upgrade for a foreign page") {
                    try await WebSocketClient.connect(url: socket, configuration: .init(additionalHeaders: [.origin: "http://evil.example"]),
                                                      logger: testLogger) { _, _, _ in }
                }
            }
        }
        let options = WebOptions(connection: try clientConfiguration("mqtt://127.0.0.1:1"), topics: AlertServiceTests.topics, kinds: [:])
        let pump = StreamPump(server: try WebServer(options: options, logger: testLogger))
        for _ in 0..<StreamPump.maximumPendingReplies { #expect(pump.receive(Array(#"{"op":"ping"}"#.utf8))) }
        #expect(!pump.receive(Array(#"{"op":"ping"}"#.utf8)), "no more replies kept for a client that does not read")
    }

    @Test("A message larger than the limit closes the socket with 1009, counted")
    func oversized() async throws {
        try await MosquittoBroker.withBroker { broker in
            try await WebServerTests.withWebServer(broker) { url in
                let socket = "ws://127.0.0.1:\(url.port!)/api/v1/stream"
                let close = try await WebSocketClient.connect(url: socket, configuration: .init(maxFrameSize: 1 << 24), logger: testLogger) { inbound, outbound, _ in
                    try await outbound.write(.text(String(repeating: "x", count: WebServer.maximumStreamMessage + 1)))
                    for try await _ in inbound.messages(maxSize: 1 << 20) {}
                }
                #expect(close?.closeCode == .messageTooLarge)
                let figures = try await WebServerTests.poll(url, "/health", "the stream closed") { answer in
                    ((try answer.json() as? [String: Any])?["streams"] as? [String: Int])?["open"] == 0
                }
                #expect(((try figures.json() as? [String: Any])?["streams"] as? [String: Int])?["closed_oversized"] == 1)
            }
        }
    }

    @Test("A send that takes longer than the stall timeout ends the stream, after the connection is closed (which ends that send)")
    func stall() async throws {
        let options = WebOptions(connection: try clientConfiguration("mqtt://127.0.0.1:1"), topics: AlertServiceTests.topics, kinds: [:])
        let server = try WebServer(options: options, logger: testLogger)
        let pump = StreamPump(server: server)
        pump.receive(Array(#"{"op":"subscribe","id":"s"}"#.utf8))
        let (closes, closed) = AsyncStream.makeStream(of: Void.self)
        let closedFlag = Mutex(false)
        await #expect(throws: StreamStalled.self) {
            try await pump.run(stallTimeout: .milliseconds(200), send: { _ in
                // A client that never takes the frame: the send waits until the connection is closed.
                for await _ in closes {}
                throw CancellationError()
            }, stalled: {
                closedFlag.withLock { $0 = true }
                closed.finish()
            })
        }
        #expect(closedFlag.withLock { $0 }, "the connection was closed before the stream ended")
    }

    @Test("A client that subscribes and never reads (a tiny receive window, nothing taken) is closed once a frame waits past the stall timeout, counted as stalled; the server goes on serving")
    func neverReads() async throws {
        try await MosquittoBroker.withBroker { broker in
            // 400 twins published as the twin service would: the snapshot (about 150 KB) cannot pass a closed window.
            let publisher = try await connectedClient(broker.url)
            @Sendable func twin(_ index: Int, version: Int) -> String {
                #"{"machine":"m\#(index)","site":"site","area":"area","line":"line","kind":"test_mill","version":\#(version),"state":{"value":"running","since":"2026-03-02T06:05:01.000Z","reason":"started by the operator of the shift"},"connectivity":{"status":"online","since":"2026-03-02T06:00:00.000Z","reason":"connected"},"reported":{"spindle_temperature":{"value":\#(40 + Double(version) / 10),"unit":"°C","quality":"good","ts":"2026-03-02T07:00:00.000Z"}},"kpi":{"shift":{"oee":0.61},"window":{"oee":0.72}}}"#
            }
            for index in 0..<400 {
                try await publisher.publish(to: "itest/site/area/line/m\(index)/twin", string: twin(index, version: 1), qos: .atLeastOnce, retain: true)
            }
            try await WebServerTests.withWebServer(broker, configure: { $0.streamStallTimeout = .seconds(1) }) { url in
                _ = try await WebServerTests.poll(url, "/health", "the 400 twins") { (try $0.json() as? [String: Any])?["twins"] as? Int == 400 }
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelOption(.socketOption(.so_rcvbuf), value: 1024)
                    .channelOption(.autoRead, value: false)
                    .connect(host: "127.0.0.1", port: url.port!) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                try await channel.executeThenClose { _, outbound in
                    try await outbound.write(ByteBuffer(string: "GET /api/v1/stream HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
                    try await outbound.write(Self.maskedTextFrame(#"{"op":"subscribe","id":"all"}"#))
                    // The whole fleet changes on (about 60 KB of deltas every 100 ms), so the server has frames to send
                    // behind the snapshot the client never takes, until the socket's buffers are full.
                    let changes = Task {
                        for version in 2... {
                            for index in 0..<400 {
                                try await publisher.publish(to: "itest/site/area/line/m\(index)/twin", string: twin(index, version: version),
                                                            qos: .atMostOnce, retain: true)
                            }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    defer { changes.cancel() }
                    let stalled = try await WebServerTests.poll(url, "/health", "the stream closed as stalled") { answer in
                        ((try answer.json() as? [String: Any])?["streams"] as? [String: Int])?["closed_stalled"] == 1
                    }
                    #expect(((try stalled.json() as? [String: Any])?["streams"] as? [String: Int])?["open"] == 0)
                }
                let kinds = try await WebServerTests.request("GET", url, "/kinds")
                #expect(kinds.status == 200, "the server still serves")
            }
            await publisher.disconnect()
        }
    }

    /// A client's text frame (masked, as RFC 6455 wants from a client).
    static func maskedTextFrame(_ text: String) -> ByteBuffer {
        let payload = Array(text.utf8), mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        precondition(payload.count < 126)
        var frame = ByteBuffer(bytes: [0x81, 0x80 | UInt8(payload.count)] + mask)
        frame.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return frame
    }

    @Test("Server-Sent Events carry the same messages, each named by its type; a bad filter is a problem")
    func serverSentEvents() async throws {
        try await WebServerTests.withServedMachine { url, machine in
            let bad = try await WebServerTests.request("GET", url, "/events?path=site/%23/x")
            #expect(bad.status == 400 && bad.text.contains("query:path"))

            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", url.absoluteString + "/events?path=site/%23&fields=state,readings.spindle_temperature"]
            let output = Pipe()
            curl.standardOutput = output
            let sse = LineReader(output)
            try curl.run()
            defer { curl.terminate() }
            /// The message of the first event of `type`.
            func event(_ type: String) async throws -> [String: Any] {
                @Sendable func message(_ line: String) -> [String: Any]? {
                    guard line.hasPrefix("data: ") else { return nil }
                    return try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
                }
                let line = try await sse.first("the \(type) event") { message($0)?["type"] as? String == type }
                #expect(sse.text.contains("event: \(type)\n\(line)"), "the event is named by its type")
                return message(line) ?? [:]
            }
            let snapshot = try await event("snapshot")
            #expect((snapshot["twins"] as? [String: Any])?["site/area/line/cnc"] != nil)
            try await machine.send(temperature: 55.5, samples: 1)
            let delta = try await event("delta")
            #expect(delta["rev"] as? Int == 2)
        }
    }
}
