/// A kind of machine, loaded from `twins/*.yaml`: what it is (its ``MachineInterface``), how it is simulated (its
/// ``SimulationProfile``) and the alert rules every machine of it gets. Take the part you need: twins, rules and
/// screens read the interface, the simulator the profile beside it.
public struct MachineKind: Sendable {
    /// What the kind is: everything but its simulation.
    public var interface: MachineInterface
    /// How the simulator makes a machine of the kind behave.
    public var profile: SimulationProfile
    /// Alert rules every machine of the kind gets (scenarios and rules files can override them).
    public var rules: [RuleSpec]
    /// Where the kind was loaded from.
    public var location: SourceLocation

    /// The kind's identifier: its interface's.
    public var id: String { interface.id }
}
