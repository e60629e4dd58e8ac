/// One telemetry property of a kind: what it measures and within which bounds.
public struct PropertySpec: Sendable, Equatable {
    public enum ValueType: String, Sendable { case number, integer }

    /// Units a property may declare. A typo ("rmp") is an error, not a silent new unit.
    public static let knownUnits: Set<String> = [
        "rpm", "%", "°C", "K", "mm/s", "mm/s²", "g", "W", "kW", "kWh", "kVA", "A", "V", "Hz",
        "bar", "Pa", "kPa", "MPa", "l/min", "m³/min", "m³/h", "Nm", "N", "kN", "t", "kg",
        "mm", "m", "m/min", "mm/min", "µm", "ppm", "picks/min", "strokes/min", "s", "min", "h", "count", "dB", "lux", "",
    ]

    public var name: String
    public var type: ValueType
    /// Unit symbol, e.g. `rpm`, `°C`, `mm/s`, `kW`, `bar`, `%`.
    public var unit: String
    /// Where the value sits in normal operation.
    public var normal: ClosedRange<Double>
    /// The states in which ``normal`` applies (`normal_while`), or `nil` for every state: coolant flows only while a
    /// machine runs, so 0 l/min is normal when it does not.
    public var normalStates: Set<MachineState>?
    /// What is physically possible; values are clamped to it. Contains `normal`.
    public var limits: ClosedRange<Double>
    /// Decimal places published.
    public var decimals: Int
    public var location: SourceLocation

    public init(name: String, type: ValueType, unit: String, normal: ClosedRange<Double>, normalStates: Set<MachineState>? = nil,
                limits: ClosedRange<Double>, decimals: Int, location: SourceLocation) {
        self.name = name
        self.type = type
        self.unit = unit
        self.normal = normal
        self.normalStates = normalStates
        self.limits = limits
        self.decimals = decimals
        self.location = location
    }

    /// Whether a machine in `state` is expected to hold the property within ``normal``.
    public func normalApplies(in state: MachineState) -> Bool {
        normalStates?.contains(state) ?? true
    }
}
