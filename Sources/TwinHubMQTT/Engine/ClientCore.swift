import CTwinHubMosquitto
import Logging
import Synchronization

/// The engine behind one ``MQTTClient``: owns the libmosquitto handle and everything that changes with it.
///
/// `@unchecked Sendable`: the `var`s below are read and written only on `loop`'s thread. libmosquitto's
/// callbacks run there as well, because this client's libmosquitto calls (`loop_read`, `loop_write`,
/// `loop_misc`, `publish`, …) are made only from that thread. Other threads reach the engine through
/// `outbox` and `observed` (each behind a `Mutex`), `counters` (atomics) and `loop.execute`.
final class ClientCore: @unchecked Sendable {
    let id: UInt64
    let configuration: ClientConfiguration
    let loop: MQTTEventLoop
    let logger: Logger
    let counters = StatisticsCounters()

    // Shared with other threads.
    let outbox: Mutex<Outbox>
    let observed = Mutex(Observed())

    // Loop thread only.
    var handle: OpaquePointer?
    var lifecycle: ConnectionLifecycle
    var subscriptions = SubscriptionTable()
    /// Filters released while disconnected from a persistent session, unsubscribed on the next connect.
    var pendingUnsubscribes: Set<String> = []
    var sinks: [UInt64: SubscriptionSink] = [:]
    /// Sinks given messages during the current library call, whose consumers are woken once it returns.
    var sinksToWake: [SubscriptionSink] = []
    var inflight: [Int32: InflightPublish] = [:]
    /// Publishes handed to libmosquitto so far (see `messageIDWindow`).
    var handedOverCount = 0
    /// At most the `handedOver` of the oldest in-flight publish: publishes only leave, and new ones come after it,
    /// so it stays a lower bound without a scan of every publish in flight on each flush.
    var oldestHandedOverBound = 0
    var subscribeWaiters: [Int32: SubscribeWaiter] = [:]
    var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    var closeWaiters: [CheckedContinuation<Void, Never>] = []
    /// What libmosquitto's callbacks reported during the current call, handled once it returns.
    var libraryEvents: [LibraryEvent] = []
    var watchedFD: Int32 = -1
    /// A socket of a failed attempt that libmosquitto has not closed yet; never watched again.
    var abandonedFD: Int32 = -1
    var watchingWrites = false
    /// Bursts of reads or writes for which the socket was corked (for tests).
    var corkedBursts = 0
    /// Whether libmosquitto's wake-up socket pair of the current handle was closed (``WakeupPair``).
    var wakeupPairClosed = false
    /// Whether the socket is left unread because a subscription that pauses reading is full.
    var readingPaused = false
    /// Counts connection attempts; a timeout carries the attempt it was set for.
    var attemptNumber = 0
    var attemptSettled = true
    /// Whether this attempt's TLS handshake has been started (TLS clients only).
    var tlsHandshakeStarted = false
    var hasStartedConnecting = false
    var socketError: Int32 = 0
    /// The broker closed a working connection without a reason (mosquitto 2.0 drops a connection another client takes
    /// over so, without its DISCONNECT): if it takes the next attempt at once, the connection may have been taken over.
    var closedWithoutReason = false
    /// Such quick returns in a row, each within a minute of the last, and when the last was. A broker restarted at once
    /// makes one; two clients sharing an ID take it from each other again and again.
    var quickReturns = 0
    var lastQuickReturn: ContinuousClock.Instant?
    /// When the current connection was made.
    var connectedAt: ContinuousClock.Instant?
    /// The last error libmosquitto logged during the current attempt (TLS clients only).
    var lastLibraryError: String?
    var closing: Closing?

    private static let nextID = Atomic<UInt64>(1)

    /// Publishes waiting to be handed to libmosquitto, and whether a flush is already scheduled.
    struct Outbox {
        var queue: BoundedQueue<PendingPublish>
        var flushScheduled = false
        var closed = false
    }

    /// The connection state as other threads see it, and who is watching it.
    struct Observed {
        var state: ConnectionState = .idle
        var observers: [UInt64: AsyncStream<ConnectionState>.Continuation] = [:]
        var nextObserver: UInt64 = 0
    }

    /// A graceful close in progress: flush, then DISCONNECT, then release.
    struct Closing {
        var disconnectSent = false
    }

    /// What a libmosquitto callback reported.
    enum LibraryEvent {
        case connack(code: Int32, sessionPresent: Bool)
        case disconnected(code: Int32, errno: Int32)
    }

    init(configuration: ClientConfiguration, loop: MQTTEventLoop, logger: Logger) {
        _ = Mosquitto.initialized
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.configuration = configuration
        self.loop = loop
        var logger = logger
        logger[metadataKey: "mqtt.client"] = "\(configuration.clientID ?? "#\(id)")"
        self.logger = logger
        self.lifecycle = ConnectionLifecycle(policy: configuration.reconnect)
        self.outbox = Mutex(Outbox(queue: BoundedQueue(capacity: configuration.outgoingQueue.capacity, policy: configuration.outgoingQueue.whenFull)))
    }

    var host: String { configuration.broker.endpoint }

    // MARK: State observation (any thread)

    /// Records `state` and tells every observer. Loop thread.
    func publishState(_ state: ConnectionState) {
        let observers = observed.withLock { observed in
            observed.state = state
            return Array(observed.observers.values)
        }
        for observer in observers {
            observer.yield(state)
            if state.isClosed { observer.finish() }
        }
        logger.debug("MQTT connection \(state)", metadata: ["host": "\(host)"])
    }

    /// A new stream of state changes, starting with the current state. Any thread.
    func stateUpdates() -> AsyncStream<ConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionState.self, bufferingPolicy: .bufferingNewest(64))
        let (current, key) = observed.withLock { observed in
            observed.nextObserver += 1
            if !observed.state.isClosed { observed.observers[observed.nextObserver] = continuation }
            return (observed.state, observed.nextObserver)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.observed.withLock { $0.observers.removeValue(forKey: key) }
        }
        continuation.yield(current)
        if current.isClosed { continuation.finish() }
        return stream
    }
}

/// A publish on its way, with the task waiting for its acknowledgement if there is one.
struct PendingPublish: Sendable {
    let request: PublishRequest
    let waiter: CheckedContinuation<Void, any Error>?

    func fail(_ error: MQTTError) { waiter?.resume(throwing: error) }
    func succeed() { waiter?.resume() }
}

/// A QoS 1/2 publish libmosquitto holds until the broker acknowledges it.
struct InflightPublish: Sendable {
    let publish: PendingPublish
    /// `handedOverCount` when it was handed over.
    let handedOver: Int
}

/// A `subscribe` call waiting for the SUBACKs of its filters. Loop thread only.
final class SubscribeWaiter {
    var remaining: Int
    var failure: MQTTError?
    let continuation: CheckedContinuation<Void, any Error>

    init(remaining: Int, continuation: CheckedContinuation<Void, any Error>) {
        self.remaining = remaining
        self.continuation = continuation
    }
}
