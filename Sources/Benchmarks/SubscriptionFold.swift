import Synchronization
import TwinHubMQTT

/// A subscription folded into a value by a reader task of its own: what the benchmarks watch while they measure
/// (alert arrivals, snapshots, metrics, the broker's counters), readable from any task at any time.
final class SubscriptionFold<Value: Sendable>: Sendable {
    private final class Box: Sendable {
        let value: Mutex<Value>
        init(_ value: sending Value) { self.value = Mutex(value) }
    }
    private let box: Box
    private let reader: Task<Void, Never>

    /// Folds every message of `subscription` into `initial` with `fold`, until stopped.
    init(_ subscription: MQTTSubscription, initial: sending Value, _ fold: @escaping @Sendable (inout Value, MQTTMessage) -> Void) {
        let box = Box(initial)
        self.box = box
        reader = Task {
            for await message in subscription {
                box.value.withLock { fold(&$0, message) }
            }
        }
    }

    deinit { reader.cancel() }

    /// The value now.
    var value: Value { box.value.withLock { $0 } }

    /// Reads and changes the value under its lock.
    func update<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { box.value.withLock { body(&$0) } }

    /// Stops reading.
    func stop() { reader.cancel() }
}
