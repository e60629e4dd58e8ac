import RuleLanguage

/// Reading the interface of a kind: properties without their signals, states, commands, the ideal production rate.
extension KindLoader {
    static func parseSampleInterval(_ map: YAMLMapping) throws(ModelError) -> Duration {
        let sampleInterval = try map.optional("sample_interval")?.duration("sample_interval") ?? .seconds(1)
        guard sampleInterval >= .milliseconds(10) else {
            throw try map.required("sample_interval").error("sample_interval must be at least 10ms")
        }
        return sampleInterval
    }

    /// The interface fields of the property `name` (at `location`), whose keys the caller has checked.
    static func parsePropertySpec(_ name: String, _ map: YAMLMapping, node: YAMLNode, location: SourceLocation) throws(ModelError) -> PropertySpec {
        let typeText = try map.optional("type")?.string("type") ?? "number"
        guard let type = PropertySpec.ValueType(rawValue: typeText) else {
            throw try map.required("type").error("type must be number or integer, not '\(typeText)'")
        }
        let unitNode = try map.required("unit")
        let unit = try unitNode.string("unit")
        guard PropertySpec.knownUnits.contains(unit) else {
            let hint = Spelling.hint(for: unit, in: Array(PropertySpec.knownUnits))
            throw unitNode.error("unknown unit '\(unit)' for property '\(name)'\(hint)")
        }
        let normal = try map.required("normal").range("normal range of '\(name)'")
        let limitsNode = map.optional("limits")
        let limits = try limitsNode?.range("limits of '\(name)'") ?? normal
        guard limits.lowerBound <= normal.lowerBound && normal.upperBound <= limits.upperBound else {
            throw (limitsNode ?? node).error("impossible range: the normal range \(normal) of '\(name)' is outside its limits \(limits)")
        }
        let normalStates = try map.optional("normal_while")?.machineStates("normal_while")
        let decimals = try map.optional("decimals")?.int("decimals") ?? (type == .integer ? 0 : 2)
        guard (0...9).contains(decimals) else { throw try map.required("decimals").error("decimals must be 0 to 9") }
        return PropertySpec(name: name, type: type, unit: unit, normal: normal, normalStates: normalStates, limits: limits, decimals: decimals,
                            location: location)
    }

    static func parseStates(_ node: YAMLNode?) throws(ModelError) -> StateModel {
        guard let node else { return .default }
        let map = try node.mapping("states")
        try map.checkKeys(["initial", "transitions"])
        let initial = try map.optional("initial").map { node throws(ModelError) in try node.machineState() } ?? .idle
        var transitions: [MachineState: Set<MachineState>] = [:]
        if let transitionNode = map.optional("transitions") {
            for entry in try transitionNode.mapping("transitions").entries {
                let from = try entry.keyNode.machineState()
                var targets: Set<MachineState> = []
                for target in try entry.value.sequence("transitions from '\(entry.key)'") {
                    targets.insert(try target.machineState())
                }
                transitions[from] = targets
            }
        } else {
            transitions = StateModel.default.transitions
        }
        return StateModel(initial: initial, transitions: transitions)
    }

    static func parseCommands(_ node: YAMLNode?) throws(ModelError) -> Set<MachineCommand> {
        guard let node else { return Set(MachineCommand.allCases) }
        var commands: Set<MachineCommand> = []
        for item in try node.sequence("commands") {
            let text = try item.string("command")
            guard let command = MachineCommand(rawValue: text) else {
                let hint = Spelling.hint(for: text, in: MachineCommand.allCases.map(\.rawValue))
                throw item.error("unknown command '\(text)'\(hint)")
            }
            commands.insert(command)
        }
        return commands
    }

    /// The ideal rate of `production:`, whose keys the caller has checked.
    static func parseProductionSpec(_ map: YAMLMapping) throws(ModelError) -> ProductionSpec {
        let cycle = try map.required("ideal_cycle_time").duration("ideal_cycle_time")
        guard cycle > .zero else { throw try map.required("ideal_cycle_time").error("ideal_cycle_time must be positive") }
        let parts = try map.optional("parts_per_cycle")?.int("parts_per_cycle") ?? 1
        guard parts >= 1 else { throw try map.required("parts_per_cycle").error("parts_per_cycle must be at least 1") }
        return ProductionSpec(idealCycleTime: cycle, partsPerCycle: parts)
    }
}
