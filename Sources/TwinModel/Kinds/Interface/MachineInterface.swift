/// What a kind of machine is, seen from outside: the telemetry properties it publishes, its states and allowed
/// transitions, the commands it accepts and the faults they name, and its production rate. All a twin, a rule, a
/// console or an API needs of a kind, and nothing of how it is simulated (that is its ``SimulationProfile``).
public struct MachineInterface: Sendable, Equatable {
    /// Identifier used by scenarios and payloads (`kind: cnc_machining_centre`).
    public var id: String
    /// Human name.
    public var name: String
    /// What the machine is, in words.
    public var description: String
    /// How often a machine of the kind publishes telemetry: twins count silence in it, the simulator samples at it.
    public var sampleInterval: Duration
    /// Telemetry properties, in file order (also the order they are published and shown).
    public var properties: [PropertySpec]
    /// Its states: where it starts and which transitions it allows.
    public var states: StateModel
    /// The commands it accepts on its `cmd` topic.
    public var commands: Set<MachineCommand>
    /// The faults `inject_fault` and `clear_fault` may name, in file order.
    public var faults: [FaultSpec]
    /// Its ideal production rate.
    public var production: ProductionSpec

    public init(id: String, name: String, description: String, sampleInterval: Duration, properties: [PropertySpec],
                states: StateModel, commands: Set<MachineCommand>, faults: [FaultSpec], production: ProductionSpec) {
        self.id = id
        self.name = name
        self.description = description
        self.sampleInterval = sampleInterval
        self.properties = properties
        self.states = states
        self.commands = commands
        self.faults = faults
        self.production = production
    }

    /// The property of exactly this name (see ``Swift/String/isSameName(as:)``).
    public func property(named name: String) -> PropertySpec? {
        properties.first { $0.name.isSameName(as: name) }
    }

    /// The fault of this name.
    public func fault(named name: String) -> FaultSpec? {
        faults.first { $0.name == name }
    }
}
