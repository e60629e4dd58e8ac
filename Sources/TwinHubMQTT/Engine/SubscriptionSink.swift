import DequeModule
import Synchronization

/// Where a subscription's messages wait between the loop thread and the consumer, and a count of what did not fit.
///
/// The loop thread ``push(_:)``es messages as libmosquitto reads them and wakes a waiting consumer once per burst
/// of reads (``wakeConsumer()``), not once per message. The consumer takes everything waiting in one swap and then
/// works through it without touching the loop thread's lock. In `AsyncStream`'s place: it took a lock, looked up
/// generic metadata and shifted its buffer for every message. As with `AsyncStream`: one consumer at a time, and a
/// consumer whose task is cancelled still gets what was buffered before the end.
final class SubscriptionSink: Sendable {
    /// With ``SubscriptionOverflow/pauseReading``: nothing is dropped, and the client stops reading its socket while
    /// ``buffered`` is at ``capacity``, so the broker holds the rest. Otherwise at most ``capacity`` messages are
    /// buffered (waiting, or in the consumer's batch), and the oldest goes for the newest.
    let pausesReading: Bool
    let capacity: Int
    let dropped = Atomic<Int>(0)
    /// Messages pushed and not yet handed out by ``next()`` (waiting, or taken in the consumer's batch).
    let buffered = Atomic<Int>(0)

    private let shared: Mutex<Shared>
    /// The consumer's batch: the consuming task takes from it; the loop thread only drops its oldest when the buffer is
    /// full, and ``terminate()`` empties it. Mostly uncontended, so its lock costs little.
    private let batch = Mutex(Deque<MQTTMessage>())

    private struct Shared {
        var waiting: Deque<MQTTMessage> = []
        var consumer: UnsafeContinuation<Void, Never>?
        /// No more messages will come (unsubscribed, or the client closed); what is waiting is still handed out.
        var finished = false
        /// The subscription was dropped: what is buffered is discarded.
        var terminated = false
        /// The consuming task was cancelled: the subscription was ended at the client (once).
        var cancelled = false
    }

    /// Ends the subscription at the client (on the loop thread): it unsubscribes at the broker when told to, then
    /// ``finish()``es this sink.
    let unsubscribe: @Sendable (_ atBroker: Bool) -> Void
    /// Set by ``MQTTSubscription/keepAtBrokerWhenEnded()``: an end by cancellation or drop leaves the filters subscribed
    /// at the broker.
    let keepsAtBroker = Atomic<Bool>(false)
    /// Lets the client read again once a subscription that paused reading is half empty.
    let caughtUp: @Sendable () -> Void

    /// A parked consumer is woken at the end of a burst of reads, or as soon as this many messages wait (at most 64,
    /// and half the capacity of a small buffer, so that a burst does not overflow it before the consumer runs).
    let wakeThreshold: Int

    init(pausesReading: Bool = false, capacity: Int = .max, unsubscribe: @escaping @Sendable (_ atBroker: Bool) -> Void = { _ in },
         caughtUp: @escaping @Sendable () -> Void = {}) {
        self.pausesReading = pausesReading
        self.capacity = capacity
        wakeThreshold = min(64, max(1, capacity / 2))
        shared = Mutex(Shared())
        self.unsubscribe = unsubscribe
        self.caughtUp = caughtUp
    }

    /// Whether a consumer is parked, waiting for messages.
    var hasParkedConsumer: Bool { shared.withLock { $0.consumer != nil } }

    /// Whether this sink is full and wants the socket left alone.
    var isFull: Bool { pausesReading && buffered.load(ordering: .relaxed) >= capacity }

    // MARK: Loop thread

    /// What ``push(_:)`` did.
    enum Push: Equatable {
        /// The message waits for the consumer.
        case buffered
        /// It waits, and the oldest waiting message was dropped for it.
        case droppedOldest
        /// The subscription has ended; the message goes nowhere.
        case ended
    }

    /// Adds a message for the consumer. A parked consumer is woken only when the burst grows long (``wakeThreshold``);
    /// otherwise ``wakeConsumer()`` does, once the burst is read.
    func push(_ message: MQTTMessage) -> Push {
        let (result, wake) = shared.withLock { state -> (Push, UnsafeContinuation<Void, Never>?) in
            guard !state.finished && !state.terminated && !state.cancelled else { return (.ended, nil) }
            var result = Push.buffered
            // Under both locks `buffered` is exactly what waits plus what is left in the consumer's batch.
            let droppedOldest = !pausesReading && batch.withLock { batch -> Bool in
                guard buffered.load(ordering: .relaxed) >= capacity else { return false }
                // The oldest of all: the consumer's batch, taken before anything that waits.
                return batch.popFirst() != nil || state.waiting.popFirst() != nil
            }
            if droppedOldest {
                result = .droppedOldest
            } else {
                buffered.add(1, ordering: .relaxed)
            }
            state.waiting.append(message)
            return (result, state.waiting.count >= wakeThreshold ? state.consumer.take() : nil)
        }
        wake?.resume()
        return result
    }

    /// Resumes a parked consumer if messages wait for it.
    func wakeConsumer() {
        shared.withLock { state in state.waiting.isEmpty ? nil : state.consumer.take() }?.resume()
    }

    /// No more messages will come: the consumer gets what is waiting, then the end.
    func finish() {
        shared.withLock { state in
            state.finished = true
            return state.consumer.take()
        }?.resume()
    }

    // MARK: Consumer

    /// The next message, waiting for one if none is there; `nil` once the subscription has ended and nothing is left.
    /// A cancelled task ends the subscription and gets what was buffered, then `nil`, as from an `AsyncStream`.
    func next() async -> MQTTMessage? {
        while true {
            if Task.isCancelled { consumerCancelled() }
            var left = 0
            let taken = batch.withLock { batch -> MQTTMessage? in
                guard let message = batch.popFirst() else { return nil }
                left = buffered.subtract(1, ordering: .relaxed).newValue
                return message
            }
            if let taken {
                if pausesReading && left == capacity / 2 { caughtUp() }
                return taken
            }
            switch takeWaiting() {
            case .taken: continue
            case .ended: return nil
            case .empty:
                await withTaskCancellationHandler {
                    await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                        let resumeNow = shared.withLock { state -> Bool in
                            guard state.waiting.isEmpty && !state.finished && !state.terminated && !state.cancelled else { return true }
                            precondition(state.consumer == nil, "a subscription is iterated by one task at a time")
                            state.consumer = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    consumerCancelled()
                }
            }
        }
    }

    private enum Take { case taken, empty, ended }

    /// Moves every waiting message into the consumer's (empty) batch, in one swap.
    private func takeWaiting() -> Take {
        shared.withLock { state in
            if !state.waiting.isEmpty {
                batch.withLock { batch in
                    precondition(batch.isEmpty, "a subscription is iterated by one task at a time")
                    swap(&batch, &state.waiting)
                }
                return .taken
            }
            return state.finished || state.terminated || state.cancelled ? .ended : .empty
        }
    }

    /// The consuming task was cancelled: nothing more is taken in, the client unsubscribes (once), and a parked
    /// consumer resumes to get what is buffered, then the end.
    private func consumerCancelled() {
        let (consumer, first) = shared.withLock { state in
            defer { state.cancelled = true }
            return (state.consumer.take(), !state.cancelled && !state.terminated)
        }
        consumer?.resume()
        if first { unsubscribe(!keepsAtBroker.load(ordering: .relaxed)) }
    }

    /// The subscription was dropped: drops what is buffered, resumes a parked consumer, and unsubscribes (once).
    func terminate() {
        let (consumer, first) = shared.withLock { state in
            defer { state.terminated = true }
            state.waiting.removeAll()
            batch.withLock { $0.removeAll() }
            buffered.store(0, ordering: .relaxed)
            return (state.consumer.take(), !state.terminated && !state.cancelled)
        }
        consumer?.resume()
        if first { unsubscribe(!keepsAtBroker.load(ordering: .relaxed)) }
    }
}

/// Ends a subscription when its last copy, and its last iterator, are gone.
final class SubscriptionLifetime: Sendable {
    let sink: SubscriptionSink

    init(_ sink: SubscriptionSink) {
        self.sink = sink
    }

    deinit { sink.terminate() }
}
