import Logging
import Synchronization

/// An MQTT client over libmosquitto, with an async API.
///
/// ```swift
/// try await MQTTClient.withConnection(ClientConfiguration(url: "mqtt://localhost:1883")) { client in
///     let messages = try await client.subscribe(to: ["factory/+/telemetry"])
///     try await client.publish(to: "factory/m1/telemetry", payload: Array("{}".utf8), qos: .atLeastOnce)
///     for await message in messages { print(message.topic) }
/// }
/// ```
///
/// The first ``connect()`` fails fast with the reason; after that a lost connection is retried with
/// exponential backoff and every subscription is restored. Publishes made while disconnected wait in a
/// bounded queue (``ClientConfiguration/outgoingQueue``). All network work runs on an
/// ``MQTTEventLoop`` thread shared with other clients; every method here is safe from any task.
public final class MQTTClient: Sendable {
    /// Buffer size of a subscription unless chosen: deep enough for a burst of a few seconds of a busy
    /// fleet, small enough that a stalled consumer holds megabytes, not gigabytes.
    public static let defaultBufferCapacity = 8192

    /// The configuration the client was made with.
    public let configuration: ClientConfiguration
    let core: ClientCore
    private static let nextHolder = Atomic<UInt64>(1)

    /// Makes a client. Nothing touches the network until ``connect()``.
    /// - Throws: ``MQTTError`` if the configuration is invalid.
    public init(_ configuration: ClientConfiguration, eventLoop: MQTTEventLoop = .shared, logger: Logger = Logger(label: "twinhub.mqtt")) throws(MQTTError) {
        try configuration.validate()
        self.configuration = configuration
        core = ClientCore(configuration: configuration, loop: eventLoop, logger: logger)
    }

    deinit {
        let core = core
        core.loop.execute {
            core.perform(core.lifecycle.closeRequested())
        }
    }

    /// Connects, or waits for the connection under way.
    /// - Throws: ``MQTTError``: `.connectFailed`, `.timedOut`, `.notAuthorized`, `.connectionRefused`,
    ///   `.tls`; after a failed first attempt the client is closed.
    public func connect() async throws {
        let core = core
        try await withCheckedThrowingContinuation { continuation in
            core.loop.execute { core.connect(waiter: continuation) }
        }
    }

    /// Closes the connection gracefully: queued publishes are sent and QoS 1/2 ones acknowledged, then
    /// DISCONNECT (so no last will), all within `timeout`. Pending operations fail with `.closed`.
    public func disconnect(timeout: Duration = .seconds(5)) async {
        let core = core
        await withCheckedContinuation { continuation in
            core.loop.execute { core.close(abort: false, timeout: timeout, waiter: continuation) }
        }
    }

    /// Drops the network connection at once, without DISCONNECT, so the broker publishes the last will,
    /// as when a machine loses power or network. The client is closed afterwards.
    public func abort() async {
        let core = core
        await withCheckedContinuation { continuation in
            core.loop.execute { core.close(abort: true, timeout: .zero, waiter: continuation) }
        }
    }

    /// Publishes a message. At QoS 0 it returns once queued; at QoS 1 and 2 once the broker acknowledged.
    /// - Throws: ``MQTTError``: `.invalidTopic`, `.invalidPayload` (before any network), `.dropped` (the
    ///   bounded queue dropped it), `.publishRejected` (the broker refused it), `.closed`.
    public func publish(to topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false, properties: PublishProperties = .init()) async throws {
        let request = try PublishRequest(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
        try await publish(request)
    }

    /// Publishes a UTF-8 string; see ``publish(to:payload:qos:retain:properties:)``.
    public func publish(to topic: String, string: String, qos: QoS = .atMostOnce, retain: Bool = false, properties: PublishProperties = .init()) async throws {
        try await publish(to: topic, payload: Array(string.utf8), qos: qos, retain: retain, properties: properties)
    }

    /// Publishes a validated request; see ``publish(to:payload:qos:retain:properties:)``.
    public func publish(_ request: PublishRequest) async throws {
        if request.qos == .atMostOnce {
            try send(request)
            return
        }
        let core = core
        try await withCheckedThrowingContinuation { continuation in
            core.enqueue(CollectionOfOne(PendingPublish(request: request, waiter: continuation)))
        }
    }

    /// Queues a publish without waiting for anything: the fast path for high-rate telemetry.
    /// - Throws: ``MQTTError/Code/closed`` if the client is closed. Drops by the bounded queue are counted
    ///   in ``statistics``, not thrown.
    public func send(_ request: PublishRequest) throws {
        try queue(CollectionOfOne(request))
    }

    /// Queues publishes in order without waiting for anything, handed to the network thread together: a
    /// machine's samples of one step leave in as few TCP segments as they fill, where one ``send(_:)`` each
    /// would usually leave one segment each. Drops by the bounded queue are counted in ``statistics``.
    /// - Throws: ``MQTTError/Code/closed`` if the client is closed; then none is queued.
    public func send(contentsOf requests: [PublishRequest]) throws {
        try queue(requests)
    }

    /// Queues publishes that no one waits for, unless the client is closed.
    private func queue(_ requests: some Collection<PublishRequest>) throws {
        guard let first = requests.first else { return }
        if core.outbox.withLock({ $0.closed }) {
            throw MQTTError(.closed, "the client is closed", host: core.host, topic: first.topic)
        }
        core.enqueue(requests.lazy.map { PendingPublish(request: $0, waiter: nil) })
    }

    /// Subscribes to topic filters.
    /// - Parameters:
    ///   - filters: topic filters (`+`, `#`, `$share/{group}/…` allowed).
    ///   - qos: the maximum QoS to receive at.
    ///   - bufferCapacity: messages buffered for a slow consumer.
    ///   - whenFull: what happens when the consumer falls `bufferCapacity` behind: drop the oldest (live views,
    ///     where the newest matters), or pause reading the connection until it catches up, so that nothing is
    ///     lost and the broker holds the rest (a consumer of QoS 1 data that must see every message). A paused
    ///     connection delays every subscription of the client.
    /// - Returns: the messages, until the subscription is cancelled or dropped, or the client closes.
    /// - Throws: ``MQTTError``: `.invalidFilter` (before any network), `.subscriptionRejected`, `.closed`.
    public func subscribe(to filters: [String], qos: QoS = .atLeastOnce, bufferCapacity: Int = MQTTClient.defaultBufferCapacity,
                          whenFull: SubscriptionOverflow = .dropOldest) async throws -> MQTTSubscription {
        guard !filters.isEmpty else { throw MQTTError(.invalidFilter, "subscribe needs at least one topic filter") }
        guard bufferCapacity > 0 else { throw MQTTError(.invalidConfiguration, "a subscription buffer needs room for one message") }
        for filter in filters { try Topic.validateFilter(filter) }
        let holder = Self.nextHolder.wrappingAdd(1, ordering: .relaxed).oldValue
        let pauses = whenFull == .pauseReading
        let core = core
        let cancel: @Sendable (Bool) -> Void = { atBroker in core.loop.execute { core.unsubscribe(holder: holder, atBroker: atBroker) } }
        let caughtUp: @Sendable () -> Void = { core.loop.execute { core.consumerCaughtUp() } }
        let sink = SubscriptionSink(pausesReading: pauses, capacity: bufferCapacity, unsubscribe: cancel, caughtUp: caughtUp)
        let subscription = MQTTSubscription(filters: filters, sink: sink)
        try await withCheckedThrowingContinuation { waiter in
            core.loop.execute { core.subscribe(holder: holder, sink: sink, filters: filters, qos: qos, waiter: waiter) }
        }
        return subscription
    }

    /// Subscribes for the duration of `body`, then cancels the subscription, also when `body` throws.
    public func withSubscription<Result: Sendable>(to filters: [String], qos: QoS = .atLeastOnce, bufferCapacity: Int = MQTTClient.defaultBufferCapacity, _ body: (MQTTSubscription) async throws -> Result) async throws -> Result {
        let subscription = try await subscribe(to: filters, qos: qos, bufferCapacity: bufferCapacity)
        defer { subscription.cancel() }
        return try await body(subscription)
    }

    /// The connection state now.
    public var state: ConnectionState { core.observed.withLock { $0.state } }

    /// The connection states from now on, starting with the current one; ends when the client closes.
    public func stateUpdates() -> AsyncStream<ConnectionState> { core.stateUpdates() }

    /// The client's counters now.
    public var statistics: MQTTStatistics { core.counters.snapshot() }

    /// Publishes waiting in the bounded outgoing queue now.
    public var queuedCount: Int { core.outbox.withLock { $0.queue.count } }

    /// Connects, runs `body`, then disconnects gracefully, also when `body` throws.
    public static func withConnection<Result: Sendable>(_ configuration: ClientConfiguration, eventLoop: MQTTEventLoop = .shared, logger: Logger = Logger(label: "twinhub.mqtt"), _ body: (MQTTClient) async throws -> Result) async throws -> Result {
        let client = try MQTTClient(configuration, eventLoop: eventLoop, logger: logger)
        do {
            try await client.connect()
            let result = try await body(client)
            await client.disconnect()
            return result
        } catch {
            await client.disconnect()
            throw error
        }
    }

    /// The libmosquitto version this process uses, e.g. "2.0.11".
    public static var libraryVersion: String {
        _ = Mosquitto.initialized
        return Mosquitto.libraryVersion
    }
}
