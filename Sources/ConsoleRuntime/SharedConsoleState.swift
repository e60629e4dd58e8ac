import FleetView
import Console
import Synchronization
import TwinHubMQTT
import TwinHubProtocol

/// The plant model shared by the tasks that feed it (subscriptions, connection states) and the screen loop
/// that draws it. Messages apply under the lock; the screen takes a copy (copy-on-write, so a copy is cheap).
final class SharedConsoleState: Sendable {
    private let model: Mutex<FleetModel>
    private let received = Atomic<Int>(0)
    private let subscriptions = Mutex<[MQTTSubscription]>([])
    let decoder: ServiceMessageDecoder

    init(model: FleetModel, decoder: ServiceMessageDecoder) {
        self.model = Mutex(model)
        self.decoder = decoder
    }

    /// Decodes and applies one message; an unreadable one is counted with its reason.
    func apply(topic: String, payload: [UInt8]) {
        received.add(1, ordering: .relaxed)
        do {
            guard let update = try decoder.decode(topic: topic, payload: payload) else { return }
            model.withLock { $0.apply(update) }
        } catch {
            model.withLock { $0.refuse(error) }
        }
    }

    /// Applies every message of `subscription` until it ends.
    func consume(_ subscription: MQTTSubscription) async {
        for await message in subscription { apply(topic: message.topic, payload: message.payload) }
    }

    func update(_ body: (inout FleetModel) -> Void) {
        model.withLock { body(&$0) }
    }

    /// A copy of the model now.
    var snapshot: FleetModel { model.withLock { $0 } }

    /// Counts the drops of `subscription` in ``droppedCount``.
    func track(_ subscription: MQTTSubscription) {
        subscriptions.withLock { $0.append(subscription) }
    }

    /// Messages dropped because the screen could not keep up.
    var droppedCount: Int { subscriptions.withLock { $0.reduce(0) { $0 + $1.droppedCount } } }

    /// Messages received so far.
    var receivedCount: Int { received.load(ordering: .relaxed) }
}
