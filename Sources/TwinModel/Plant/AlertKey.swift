/// One alert's identity: a machine and a rule. A machine has at most one alert per rule open at a time.
public struct AlertKey: Hashable, Sendable, CustomStringConvertible {
    public var machine: PlantPath
    public var rule: String

    public init(machine: PlantPath, rule: String) {
        self.machine = machine
        self.rule = rule
    }

    /// `site/area/line/machine/rule`.
    public var description: String { "\(machine)/\(rule)" }
}
