import Synchronization

/// The messages of one subscription, as an `AsyncSequence`.
///
/// Messages wait in a bounded buffer (``MQTTClient/defaultBufferCapacity`` unless chosen): when the
/// consumer falls behind, the oldest buffered message is dropped for the newest and counted in
/// ``droppedCount`` (and in the client's ``MQTTStatistics/deliveryDropped``). The subscription ends
/// when it is cancelled, when it is dropped, or when the client closes.
public struct MQTTSubscription: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage

    /// The topic filters this subscription holds.
    public let filters: [String]
    let stream: AsyncStream<MQTTMessage>
    let sink: SubscriptionSink
    let cancelAction: @Sendable () -> Void

    /// Messages dropped because this subscription's buffer was full.
    public var droppedCount: Int { sink.dropped.load(ordering: .relaxed) }

    /// Ends the subscription; filters no other subscription holds are unsubscribed at the broker.
    public func cancel() { cancelAction() }

    public func makeAsyncIterator() -> AsyncStream<MQTTMessage>.Iterator {
        stream.makeAsyncIterator()
    }
}
