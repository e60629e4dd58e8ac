import TwinModel

extension MachineAddress {
    /// The line this machine belongs to.
    public var lineKey: LineKey { LineKey(site: site, area: area, line: line) }
}

/// A production line: site, area and line.
public struct LineKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var site: String
    public var area: String
    public var line: String

    public init(site: String, area: String, line: String) {
        self.site = site
        self.area = area
        self.line = line
    }

    public static func < (lhs: LineKey, rhs: LineKey) -> Bool {
        (lhs.site, lhs.area, lhs.line) < (rhs.site, rhs.area, rhs.line)
    }

    public var description: String { "\(site)/\(area)/\(line)" }
}

/// One alert: a machine and a rule.
public struct AlertKey: Hashable, Sendable, CustomStringConvertible {
    public var machine: MachineAddress
    public var rule: String

    public init(machine: MachineAddress, rule: String) {
        self.machine = machine
        self.rule = rule
    }

    public var description: String { "\(machine)/\(rule)" }
}
