import Synchronization

/// A client's counters at one moment. Every message TwinHub does not deliver is counted here.
public struct MQTTStatistics: Sendable, Hashable {
    /// Messages handed to the broker connection.
    public var published = 0
    /// Messages received from the broker.
    public var received = 0
    /// Publishes dropped by the bounded outgoing queue or refused by libmosquitto.
    public var publishDropped = 0
    /// Received messages dropped because a subscriber's buffer was full (a slow consumer).
    public var deliveryDropped = 0
    /// Received messages that matched no local subscription (e.g. right after an unsubscribe).
    public var unrouted = 0
    /// Times the client stopped reading because a subscription that pauses reading was full.
    public var readPauses = 0
    /// Lost connections followed by a reconnection attempt.
    public var reconnects = 0
    /// Connections another client took over by connecting with the same client ID: the broker said so (MQTT 5 reason
    /// 0x8E, session taken over), or it closed brief connections without a reason and took the next attempt at once
    /// three times in a row within a minute (mosquitto 2.0 closes the old connection without sending its DISCONNECT).
    /// The second is a heuristic: a broker restarted as often and as fast counts too (the chaos test's does).
    public var takeovers = 0
    /// Payload bytes published.
    public var bytesOut = 0
    /// Payload bytes received.
    public var bytesIn = 0

    /// Every message dropped, in either direction.
    public var dropped: Int { publishDropped + deliveryDropped }
}

/// The live counters behind ``MQTTStatistics``: atomics, so any thread can read them while the loop writes.
final class StatisticsCounters: Sendable {
    let published = Atomic<Int>(0)
    let received = Atomic<Int>(0)
    let publishDropped = Atomic<Int>(0)
    let deliveryDropped = Atomic<Int>(0)
    let unrouted = Atomic<Int>(0)
    let readPauses = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    let takeovers = Atomic<Int>(0)
    let bytesOut = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)

    func snapshot() -> MQTTStatistics {
        MQTTStatistics(
            published: published.load(ordering: .relaxed),
            received: received.load(ordering: .relaxed),
            publishDropped: publishDropped.load(ordering: .relaxed),
            deliveryDropped: deliveryDropped.load(ordering: .relaxed),
            unrouted: unrouted.load(ordering: .relaxed),
            readPauses: readPauses.load(ordering: .relaxed),
            reconnects: reconnects.load(ordering: .relaxed),
            takeovers: takeovers.load(ordering: .relaxed),
            bytesOut: bytesOut.load(ordering: .relaxed),
            bytesIn: bytesIn.load(ordering: .relaxed)
        )
    }
}

extension Atomic where Value == Int {
    /// Adds `amount`, relaxed: counters need no ordering with other memory.
    func add(_ amount: Int) {
        wrappingAdd(amount, ordering: .relaxed)
    }
}
