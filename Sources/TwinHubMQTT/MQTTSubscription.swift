import Synchronization

/// The messages of one subscription, as an `AsyncSequence`.
///
/// Messages wait in a bounded buffer (``MQTTClient/defaultBufferCapacity`` unless chosen): when the
/// consumer falls behind, the oldest buffered message is dropped for the newest and counted in
/// ``droppedCount`` (and in the client's ``MQTTStatistics/deliveryDropped``), or, with
/// ``SubscriptionOverflow/pauseReading``, the client stops reading until the consumer catches up. The subscription ends
/// when it is cancelled, when it is dropped, or when the client closes.
public struct MQTTSubscription: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage

    /// The topic filters this subscription holds.
    public let filters: [String]
    let lifetime: SubscriptionLifetime

    init(filters: [String], sink: SubscriptionSink) {
        self.filters = filters
        lifetime = SubscriptionLifetime(sink)
    }

    var sink: SubscriptionSink { lifetime.sink }

    /// Messages buffered now, waiting for the consumer: while it is above 0, the iterator's `next()` returns at once.
    public var bufferedCount: Int { sink.buffered.load(ordering: .relaxed) }

    /// Messages dropped because this subscription's buffer was full.
    public var droppedCount: Int { sink.dropped.load(ordering: .relaxed) }

    /// Ends the subscription; filters no other subscription holds are unsubscribed at the broker. Messages already
    /// buffered are still handed out, then the iteration ends.
    public func cancel() { sink.unsubscribe(true) }

    /// From now on, when this subscription ends because its consuming task is cancelled or it is dropped (not by
    /// ``cancel()``), its filters stay subscribed at the broker: with a persistent session the broker keeps queueing
    /// what they match until the session resumes. For a service whose clean stop must lose nothing.
    public func keepAtBrokerWhenEnded() { sink.keepsAtBroker.store(true, ordering: .relaxed) }

    public func makeAsyncIterator() -> Iterator {
        Iterator(lifetime: lifetime)
    }

    /// Takes the messages in order (one consumer at a time); for a subscription that pauses reading, lets the client
    /// read again once the buffer is half empty. Cancelling the consuming task ends the subscription.
    public struct Iterator: AsyncIteratorProtocol {
        let lifetime: SubscriptionLifetime

        public mutating func next() async -> MQTTMessage? {
            await lifetime.sink.next()
        }
    }
}

/// What a subscription does when its consumer falls a whole buffer behind.
public enum SubscriptionOverflow: Sendable {
    /// Drop the oldest buffered message for the newest, and count it (live views).
    case dropOldest
    /// Stop reading the connection until the consumer has taken half the buffer; nothing is lost, and the
    /// broker holds what comes meanwhile (QoS 1 consumers that must see every message). A consumer that stalls
    /// longer than the keepalive loses the connection (the broker's PINGRESP is not read meanwhile); with a
    /// clean session, what the broker held is then gone.
    case pauseReading
}
