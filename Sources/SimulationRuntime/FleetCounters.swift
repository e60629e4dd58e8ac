import Synchronization

/// Fleet-wide counters.
final class FleetCounters: Sendable {
    let published = Atomic<Int>(0)
    let suppressed = Atomic<Int>(0)
    let commandsApplied = Atomic<Int>(0)
    let commandsRejected = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    /// Drops of clients that were closed (their counters are no longer reachable).
    let lostClients = Atomic<Int>(0)
    let commandsDropped = Atomic<Int>(0)
    /// Publishes the broker refused (its ACL, typically), by channel: status, state, counters (QoS 1 only: a refused
    /// QoS 0 publish, telemetry, is dropped by the broker without a word).
    let refusedStatus = Atomic<Int>(0)
    let refusedState = Atomic<Int>(0)
    let refusedCounters = Atomic<Int>(0)
    /// State changes sent (a run whose every one is refused fails).
    let statesSent = Atomic<Int>(0)
    /// Channels whose first refusal was logged: one warning per channel, not one per message.
    private let warned = Mutex<Set<String>>([])

    /// Counts a refusal of the broker on `channel`; `true` the first time for that channel.
    func noteRefused(_ channel: String) -> Bool {
        switch channel {
        case "status": refusedStatus.add(1, ordering: .relaxed)
        case "state": refusedState.add(1, ordering: .relaxed)
        case "counters": refusedCounters.add(1, ordering: .relaxed)
        default: break
        }
        return warned.withLock { $0.insert(channel).inserted }
    }

    /// The refusals so far, by channel, those with none left out.
    var refusedByBroker: [String: Int] {
        let counts = ["status": refusedStatus.load(ordering: .relaxed), "state": refusedState.load(ordering: .relaxed),
                      "counters": refusedCounters.load(ordering: .relaxed)]
        return counts.filter { $0.value > 0 }
    }
}
