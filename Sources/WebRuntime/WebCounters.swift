import Synchronization

/// What the web server refused and sent, for its health document: every refused request counted by status.
final class WebCounters: Sendable {
    private let refused = Mutex<[Int: Int]>([:])
    private let sent = Atomic<Int>(0)

    func refuse(status: Int) {
        refused.withLock { $0[status, default: 0] += 1 }
    }

    func noteSent() {
        sent.add(1, ordering: .relaxed)
    }

    /// Refused requests by status.
    var refusedByStatus: [Int: Int] { refused.withLock { $0 } }
    /// Intents sent over MQTT.
    var sentCount: Int { sent.load(ordering: .relaxed) }
}
