import TwinModel

/// Simulated time from wall time: `speed` simulated seconds per wall second since `start`, less the wall time the
/// clock was held (``hold(_:)``), during which simulated time stands still.
public struct VirtualClock: Sendable {
    public let speed: Double
    public let start: ContinuousClock.Instant
    /// Wall time the clock stood still, in all.
    public private(set) var held: Duration = .zero

    public init(speed: Double, start: ContinuousClock.Instant) {
        self.speed = speed
        self.start = start
    }

    public func simulatedSeconds(at instant: ContinuousClock.Instant) -> Double {
        max(0, (instant - start - held).secondsValue * speed)
    }

    /// Stops simulated time for `duration` of wall time: later readings are that much earlier.
    public mutating func hold(_ duration: Duration) {
        held += max(duration, .zero)
    }
}
