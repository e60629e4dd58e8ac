/// What one fault of a kind's interface does to a simulated machine, and for how long.
public struct SimulatedFault: Sendable {
    /// The fault's name in the ``MachineInterface``.
    public var name: String
    /// What it does.
    public var effect: FaultEffect
    /// How long it lasts when injected without a duration; `nil` until cleared (or repaired).
    public var duration: Duration?
}
