import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT

@Suite("Publish and subscribe through a real broker", .timeLimit(.minutes(1)))
struct RoundTripTests {
    @Test("A message makes the round trip at each QoS and protocol version", arguments: QoS.allCases, [ProtocolVersion.v5, .v311])
    func roundTrip(qos: QoS, version: ProtocolVersion) async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url, version: version)
            let messages = try await client.subscribe(to: ["plant/+/telemetry"], qos: qos)
            let payload = Array("{\"rpm\":1200}".utf8)
            try await client.publish(to: "plant/m1/telemetry", payload: payload, qos: qos)
            let received = try await messages.next()
            #expect(received.map(\.topic) == ["plant/m1/telemetry"])
            #expect(received.first?.payload == payload)
            #expect(received.first?.qos == qos)
            #expect(received.first?.retain == false)
            let statistics = client.statistics
            #expect(statistics.published == 1)
            #expect(statistics.received == 1)
            #expect(statistics.bytesOut == payload.count)
            // A generous timeout: the close must finish when the broker has the DISCONNECT, not when time runs out.
            try await within(.seconds(10), "a graceful disconnect") { await client.disconnect(timeout: .seconds(600)) }
            #expect(client.state == .closed(error: nil))
        }
    }
}

extension RoundTripTests {
    @Test("A subscription that pauses reading loses nothing when its consumer falls behind: the broker holds the rest")
    func pauseReadingLosesNothing() async throws {
        try await MosquittoBroker.withBroker { broker in
            let consumer = try await connectedClient(broker.url)
            let messages = try await consumer.subscribe(to: ["plant/+/telemetry"], qos: .atLeastOnce, bufferCapacity: 10, whenFull: .pauseReading)
            let producer = try await connectedClient(broker.url)
            // 500 messages into a buffer of 10 that nobody reads yet: a dropping buffer would keep the last 10.
            for index in 0..<500 {
                try await producer.publish(to: "plant/m1/telemetry", string: String(index), qos: .atLeastOnce)
            }
            let received = try await within(.seconds(10), "all 500 messages") {
                var seen: [String] = []
                for await message in messages {
                    seen.append(String(decoding: message.payload, as: UTF8.self))
                    if seen.count == 500 { break }
                }
                return seen
            }
            #expect(received == (0..<500).map(String.init), "every message, in order")
            #expect(messages.droppedCount == 0)
            #expect(consumer.statistics.readPauses > 0, "the client paused reading while the buffer was full")
            #expect(consumer.statistics.deliveryDropped == 0)
            await producer.disconnect()
            await consumer.disconnect()
        }
    }
}

extension RoundTripTests {
    @Test("Ending a full subscription that paused reading lets the client's other subscriptions receive again")
    func endingAPausedSubscriptionResumes() async throws {
        try await MosquittoBroker.withBroker { broker in
            let consumer = try await connectedClient(broker.url)
            let paused = try await consumer.subscribe(to: ["plant/+/telemetry"], qos: .atLeastOnce, bufferCapacity: 5, whenFull: .pauseReading)
            let other = try await consumer.subscribe(to: ["plant/+/status"], qos: .atLeastOnce)
            let producer = try await connectedClient(broker.url)
            for index in 0..<20 {
                try await producer.publish(to: "plant/m1/telemetry", string: String(index), qos: .atLeastOnce)
            }
            _ = try await poll("the consumer to pause reading") { consumer.statistics.readPauses > 0 ? true : nil }
            paused.cancel()
            try await producer.publish(to: "plant/m1/status", string: "online", qos: .atLeastOnce)
            let received = try await other.next()
            #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == ["online"])
            await producer.disconnect()
            await consumer.disconnect()
        }
    }
}

extension RoundTripTests {
    @Test("A client whose full subscription paused reading still reconnects after the broker restarts (its CONNACK is read)")
    func pausedClientReconnects() async throws {
        try await MosquittoBroker.withBroker { broker in
            let consumer = try await connectedClient(broker.url)
            let paused = try await consumer.subscribe(to: ["plant/+/telemetry"], qos: .atLeastOnce, bufferCapacity: 5, whenFull: .pauseReading)
            let producer = try await connectedClient(broker.url)
            for index in 0..<20 {
                try await producer.publish(to: "plant/m1/telemetry", string: String(index), qos: .atLeastOnce)
            }
            _ = try await poll("the consumer to pause reading") { consumer.statistics.readPauses > 0 ? true : nil }
            await broker.kill()
            try await awaitState(consumer, "reconnecting") { if case .reconnecting = $0 { true } else { false } }
            try await broker.restart()
            try await awaitState(consumer, "connected again, with nothing read off the full subscription") { $0.isConnected }
            withExtendedLifetime(paused) {}
            await producer.disconnect()
            await consumer.disconnect()
        }
    }
}
