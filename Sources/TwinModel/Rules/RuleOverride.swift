/// Changes to the rules of some machines of a kind: from a rules file, or from a scenario machine.
public struct RuleOverride: Sendable {
    /// One change.
    public enum Entry: Sendable {
        /// Replaces the kind's rule of the same id, or adds the rule if the kind has none.
        case replace(RuleSpec)
        /// Switches a rule of the kind on or off.
        case enable(id: String, Bool, location: SourceLocation)
    }

    public var kind: String
    /// Which machines: `nil` matches any.
    public var site: String?
    public var area: String?
    public var line: String?
    public var machine: String?
    public var entries: [Entry]
    public var location: SourceLocation

    public init(kind: String, site: String? = nil, area: String? = nil, line: String? = nil, machine: String? = nil,
                entries: [Entry], location: SourceLocation) {
        self.kind = kind
        self.site = site
        self.area = area
        self.line = line
        self.machine = machine
        self.entries = entries
        self.location = location
    }

    /// Whether the override applies to the machine at `path`, of `kind`.
    public func matches(kind: String, path: PlantPath) -> Bool {
        kind == self.kind && (site ?? path.site) == path.site && (area ?? path.area) == path.area
            && (line ?? path.line) == path.line && (machine ?? path.machine) == path.machine
    }
}

/// Every rule that applies, per machine: its kind's rules, then each matching override in order (rules
/// files first, a scenario's machine overrides last).
public struct RuleBook: Sendable {
    /// Each kind's own rules, by kind.
    public var kindRules: [String: [RuleSpec]]
    public var overrides: [RuleOverride]

    public init(kindRules: [String: [RuleSpec]], overrides: [RuleOverride] = []) {
        self.kindRules = kindRules
        self.overrides = overrides
    }

    /// The rules of `kinds`, with `overrides`.
    public init(kinds: [String: MachineKind], overrides: [RuleOverride] = []) {
        self.init(kindRules: kinds.mapValues(\.rules), overrides: overrides)
    }

    /// The positions of the overrides that apply to a machine: machines with the same kind and the same overrides
    /// have the same rules (so they can share them).
    public func overrides(kind: String, path: PlantPath) -> [Int] {
        overrides.indices.filter { overrides[$0].matches(kind: kind, path: path) }
    }

    /// The enabled rules of a machine, in declaration order.
    public func rules(kind: String, path: PlantPath) -> [RuleSpec] {
        guard var rules = kindRules[kind] else { return [] }
        for override in overrides where override.matches(kind: kind, path: path) {
            for entry in override.entries {
                switch entry {
                case .replace(let rule):
                    if let index = rules.firstIndex(where: { $0.id == rule.id }) { rules[index] = rule } else { rules.append(rule) }
                case .enable(let id, let enabled, _):
                    if let index = rules.firstIndex(where: { $0.id == id }) { rules[index].enabled = enabled }
                }
            }
        }
        return rules.filter(\.enabled)
    }

    /// How many rules the kinds declare (before overrides).
    public var ruleCount: Int {
        kindRules.values.reduce(0) { $0 + $1.count }
    }
}
