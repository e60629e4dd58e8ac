import Foundation
import Testing
import TwinHubBroker
@testable import TwinHubMQTT

/// The client corks its socket while it reads a burst (its PUBACKs) or writes one (several publishes), and must
/// always uncork it: a socket left corked holds partial segments for up to 200 ms.
@Suite("Corked bursts", .timeLimit(.minutes(1)))
struct CorkTests {
    @Test("After a burst of publishes and of QoS 1 receipts, both clients' sockets are uncorked")
    func burstsLeaveSocketsUncorked() async throws {
        try await MosquittoBroker.withBroker { broker in
            let consumer = try await connectedClient(broker.url)
            let messages = try await consumer.subscribe(to: ["burst/#"], qos: .atLeastOnce)
            let producer = try await connectedClient(broker.url)
            // QoS 1 first: the consumer reads bursts and acknowledges them. Then QoS 0: the producer writes bursts and
            // reads nothing after them, so a cork left on its socket would stay.
            for qos in [QoS.atLeastOnce, .atMostOnce] {
                for index in 1...200 {
                    try producer.send(try PublishRequest(topic: "burst/\(index % 7)", payload: Array("\(index)".utf8), qos: qos))
                }
                let received = try await messages.next(200)
                #expect(received.count == 200)
            }
            #expect(await producer.core.socketIsCorked == false)
            #expect(await consumer.core.socketIsCorked == false)
            // …and corking did happen: the consumer's reads of QoS 1 bursts, the producer's writes of several publishes.
            #expect(await consumer.core.onLoop { $0.corkedBursts } > 0)
            #expect(await producer.core.onLoop { $0.corkedBursts } > 0)
            await producer.disconnect()
            await consumer.disconnect()
        }
    }

    @Test("Publishes sent together leave in order, corked, from one hand-over to the loop")
    func sentTogether() async throws {
        try await MosquittoBroker.withBroker { broker in
            let consumer = try await connectedClient(broker.url)
            let messages = try await consumer.subscribe(to: ["together/#"], qos: .atMostOnce)
            let producer = try await connectedClient(broker.url)
            let requests = try (1...50).map { index in try PublishRequest(topic: "together/\(index % 3)", payload: Array("\(index)".utf8)) }
            try producer.send(contentsOf: requests)
            let received = try await messages.next(50)
            #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == (1...50).map(String.init))
            // One hand-over: the loop found the 50 queued at once and wrote them corked.
            #expect(await producer.core.onLoop { $0.corkedBursts } == 1)
            #expect(await producer.core.socketIsCorked == false)
            #expect(producer.statistics.published == 50)
            await producer.disconnect()
            #expect(throws: MQTTError.self) { try producer.send(contentsOf: requests) }
            await consumer.disconnect()
        }
    }

    @Test("libmosquitto's wake-up socket pair is closed: nothing reads it, and it cost a system call per packet")
    func wakeupPairClosed() async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url)
            let messages = try await client.subscribe(to: ["pair/#"], qos: .atLeastOnce)
            #expect(await client.core.onLoop { $0.wakeupPairClosed })
            // The handle itself holds no pair any more: libmosquitto skips it from here on, and does not close it again.
            let pair = await client.core.onLoop { core in core.handle.map { WakeupPair.descriptors(of: $0) } }
            #expect(pair?.reading == -1 && pair?.writing == -1)
            try await client.publish(to: "pair/1", payload: [1], qos: .atLeastOnce)
            #expect(try await messages.next(1).map(\.payload) == [[1]])
            await client.disconnect()
        }
    }
}

extension ClientCore {
    /// `read` of the client's loop-thread state, on the loop thread.
    func onLoop<T: Sendable>(_ read: @escaping @Sendable (ClientCore) -> T) async -> T {
        await withCheckedContinuation { continuation in loop.execute { continuation.resume(returning: read(self)) } }
    }

    /// Whether `TCP_CORK` is set on the client's socket (read on the loop thread); `nil` without a socket.
    var socketIsCorked: Bool? {
        get async {
            await withCheckedContinuation { continuation in
                loop.execute {
                    guard self.watchedFD >= 0 else { return continuation.resume(returning: nil) }
                    var value: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(self.watchedFD, Int32(IPPROTO_TCP), TCP_CORK, &value, &length)
                    continuation.resume(returning: value != 0)
                }
            }
        }
    }
}
