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
}
