/// How a kind of machine is simulated: a signal for each property, what each fault does, random failures, and how
/// production strays from the ideal. Only the simulator reads it; the kind's ``MachineInterface`` says what it
/// simulates.
public struct SimulationProfile: Sendable {
    /// One signal per property of the interface, in the interface's order.
    public var signals: [PropertySignal]
    /// The effect of each fault of the interface, in the interface's order.
    public var faults: [SimulatedFault]
    /// Random failures: mean time between failures and to repair, and which faults they draw from.
    public var reliability: Reliability?
    /// How production strays from the interface's ideal rate.
    public var production: SimulatedProduction

    /// The signal of property `name`.
    public func signal(of name: String) -> SignalSpec? {
        signals.first { $0.property.isSameName(as: name) }?.signal
    }

    /// The effect of the fault of this name.
    public func fault(named name: String) -> SimulatedFault? {
        faults.first { $0.name == name }
    }
}
