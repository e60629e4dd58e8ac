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
    /// Takeovers of clients that were closed (``TwinHubMQTT/MQTTStatistics/takeovers``).
    let lostTakeovers = Atomic<Int>(0)
    let commandsDropped = Atomic<Int>(0)
    /// State changes sent (a run whose every one is refused fails).
    let statesSent = Atomic<Int>(0)
    /// Publishes the broker refused (its ACL, typically), by channel: status, state, counters (QoS 1 only: a refused
    /// QoS 0 publish, telemetry, is dropped by the broker without a word). Rare, so a lock is cheap enough.
    private let refused = Mutex<[String: Int]>([:])

    /// Counts a refusal of the broker on `channel`; `true` the first time for that channel (one warning each).
    func noteRefused(_ channel: String) -> Bool {
        refused.withLock { counts in
            counts[channel, default: 0] += 1
            return counts[channel] == 1
        }
    }

    /// The refusals so far, by channel; channels with none are absent.
    var refusedByBroker: [String: Int] { refused.withLock { $0 } }
}
