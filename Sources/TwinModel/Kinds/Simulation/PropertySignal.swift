/// The signal that generates one property of a kind's interface.
public struct PropertySignal: Sendable {
    /// The property's name in the ``MachineInterface``.
    public var property: String
    /// How its value is generated.
    public var signal: SignalSpec
}
