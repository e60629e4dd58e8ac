import Synchronization
import TwinHubMQTT
import TwinServiceCore

/// The twin service's backlog of machine messages, taken from its MQTT subscription ahead of the core when the core
/// falls behind. Inside, a ``SheddingQueue``: past `sheddingDepth` waiting, a machine's new telemetry takes the place of
/// its older one (shed, counted), so that the core sees every machine's latest sample and an alert's sample never waits
/// behind a backlog of stale ones. One task adds and takes; the lock is for the metrics' reading of ``shed``.
final class Inbox: Sendable {
    private let queue: Mutex<SheddingQueue<MQTTMessage>>

    init(sheddingDepth: Int?) {
        queue = Mutex(SheddingQueue(sheddingDepth: sheddingDepth))
    }

    /// Telemetry shed so far.
    var shed: Int { queue.withLock { $0.shed } }

    /// Messages waiting.
    var count: Int { queue.withLock { $0.count } }

    /// Adds `message`; a message on a telemetry topic may be shed later.
    func add(_ message: MQTTMessage, telemetry: Bool) {
        queue.withLock { $0.append(message, key: telemetry ? message.topic : nil) }
    }

    /// The oldest message waiting.
    func popFirst() -> MQTTMessage? {
        queue.withLock { $0.popFirst() }
    }

    /// Every message still waiting, oldest first; the inbox is empty after. For a stop: what the broker has already
    /// been acknowledged for is applied, not lost.
    func takeRemaining() -> [MQTTMessage] {
        queue.withLock { queue in
            var messages: [MQTTMessage] = []
            while let message = queue.popFirst() { messages.append(message) }
            return messages
        }
    }
}
