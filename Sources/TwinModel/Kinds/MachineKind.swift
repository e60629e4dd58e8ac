/// A kind of machine, loaded from `twins/*.yaml`: what it measures, how its signals behave, which
/// states and transitions it has, what it produces, which commands it accepts and which faults it suffers.
public struct MachineKind: Sendable {
    /// Identifier used by scenarios (`kind: cnc_machining_centre`).
    public var id: String
    /// Human name.
    public var name: String
    public var description: String
    /// How often telemetry is sampled unless a property says otherwise.
    public var sampleInterval: Duration
    /// Telemetry properties, in file order (also the order signals are shown).
    public var properties: [PropertySpec]
    public var states: StateModel
    public var production: ProductionSpec
    public var commands: Set<MachineCommand>
    /// Faults this kind can suffer, by name.
    public var faults: [FaultSpec]
    /// Random failures: mean time between failures and to repair, and which faults they draw from.
    public var reliability: Reliability?
    /// Alert rules every machine of the kind gets (scenarios and rules files can override them).
    public var rules: [RuleSpec]
    /// Where the kind was loaded from.
    public var location: SourceLocation

    public func property(named name: String) -> PropertySpec? {
        properties.first { $0.name.isSameName(as: name) }
    }

    public func fault(named name: String) -> FaultSpec? {
        faults.first { $0.name == name }
    }
}

/// One telemetry property of a kind.
public struct PropertySpec: Sendable {
    public enum ValueType: String, Sendable { case number, integer }

    public var name: String
    public var type: ValueType
    /// Unit symbol, e.g. `rpm`, `°C`, `mm/s`, `kW`, `bar`, `%`.
    public var unit: String
    /// Where the value sits in normal operation.
    public var normal: ClosedRange<Double>
    /// What is physically possible; values are clamped to it. Contains `normal`.
    public var limits: ClosedRange<Double>
    /// Decimal places published.
    public var decimals: Int
    public var location: SourceLocation
    /// The signal lives in a shared box (copied on write): specs are copied on hot paths, and a signal is large.
    private var signalBox: SignalBox

    public var signal: SignalSpec {
        get { signalBox.spec }
        set {
            if isKnownUniquelyReferenced(&signalBox) { signalBox.spec = newValue } else { signalBox = SignalBox(newValue) }
        }
    }

    public init(name: String, type: ValueType, unit: String, normal: ClosedRange<Double>, limits: ClosedRange<Double>, decimals: Int,
                signal: SignalSpec, location: SourceLocation) {
        self.name = name
        self.type = type
        self.unit = unit
        self.normal = normal
        self.limits = limits
        self.decimals = decimals
        self.location = location
        signalBox = SignalBox(signal)
    }

    private final class SignalBox: @unchecked Sendable {
        // Mutated only while uniquely referenced (copy on write above).
        var spec: SignalSpec
        init(_ spec: SignalSpec) { self.spec = spec }
    }
}

/// Allowed states and transitions.
public struct StateModel: Sendable {
    public var initial: MachineState
    public var transitions: [MachineState: Set<MachineState>]

    /// Whether `to` may follow `from`. Fault, offline and maintenance can always be forced by faults
    /// and by power; these are checked by the engine, not here.
    public func allows(_ from: MachineState, _ to: MachineState) -> Bool {
        from == to || transitions[from]?.contains(to) == true
    }

    /// Whether some sequence of allowed transitions leads from `start` to `target`.
    public func reaches(_ target: MachineState, from start: MachineState) -> Bool {
        var seen: Set<MachineState> = [start]
        var frontier = [start]
        while let state = frontier.popLast() {
            if state == target { return true }
            for next in transitions[state] ?? [] where seen.insert(next).inserted { frontier.append(next) }
        }
        return false
    }
}

/// Production counting.
public struct ProductionSpec: Sendable {
    /// The ideal time for one cycle at full speed (OEE performance).
    public var idealCycleTime: Duration
    /// Parts made per cycle.
    public var partsPerCycle: Int
    /// Probability that a part is scrap in normal operation.
    public var scrapRate: Double
    /// How much real cycles vary around the ideal (fraction; 0.05 = up to 5 % slower).
    public var cycleVariation: Double
}

/// Random failures drawn with exponential distributions.
public struct Reliability: Sendable {
    public var mtbf: Duration
    public var mttr: Duration
    /// Faults a random failure picks from (uniformly).
    public var faults: [String]
}
