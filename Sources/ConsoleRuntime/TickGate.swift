import Synchronization

/// Whether a tick is already waiting in the screen loop's queue.
final class TickGate: Sendable {
    private let pending = Atomic<Bool>(false)

    /// Marks a tick as waiting; `false` if one already was.
    func raise() -> Bool { !pending.exchange(true, ordering: .acquiringAndReleasing) }

    func lower() { pending.store(false, ordering: .releasing) }
}
