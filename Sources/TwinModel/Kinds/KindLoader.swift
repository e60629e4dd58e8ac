import Foundation

/// Reads `twins/*.yaml` into ``MachineKind``s, reporting every problem as `file:line:column: message`.
public enum KindLoader {
    /// Units a property may declare. A typo ("rmp") is an error, not a silent new unit.
    public static let knownUnits: Set<String> = [
        "rpm", "%", "°C", "K", "mm/s", "mm/s²", "g", "W", "kW", "kWh", "kVA", "A", "V", "Hz",
        "bar", "Pa", "kPa", "MPa", "l/min", "m³/min", "m³/h", "Nm", "N", "kN", "t", "kg",
        "mm", "m", "m/min", "mm/min", "µm", "ppm", "picks/min", "strokes/min", "s", "min", "h", "count", "dB", "lux", "",
    ]

    /// Loads one kind file.
    public static func load(file path: String) throws(ModelErrors) -> MachineKind {
        let text = try YAMLFiles.read(path)
        return try load(yaml: text, file: path)
    }

    /// Loads a kind from YAML text; `file` names it in errors and anchors relative paths.
    public static func load(yaml text: String, file: String) throws(ModelErrors) -> MachineKind {
        let diagnostics = DiagnosticCollector()
        let kind = diagnostics.collect { () throws -> MachineKind? in
            let root = try YAMLNode.parse(text, file: file)
            return try parseKind(root, diagnostics: diagnostics)
        } ?? nil
        try diagnostics.throwIfAny()
        return kind!
    }

    /// Loads every `*.yaml` in a folder, sorted by file name; errors of all files together.
    public static func loadDirectory(_ path: String) throws(ModelErrors) -> [String: MachineKind] {
        var kinds: [String: MachineKind] = [:]
        var errors: [ModelError] = []
        for file in YAMLFiles.list(in: path) {
            do {
                let kind = try load(file: file)
                if let existing = kinds[kind.id] {
                    errors.append(ModelError("kind '\(kind.id)' is already defined at \(existing.location)", at: kind.location))
                }
                kinds[kind.id] = kind
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw ModelErrors(errors) }
        return kinds
    }

    // MARK: Parsing

    private static func parseKind(_ root: YAMLNode, diagnostics: DiagnosticCollector) throws(ModelError) -> MachineKind? {
        let map = try root.mapping("a machine kind")
        try map.checkKeys(["kind", "name", "description", "sample_interval", "properties", "states", "production",
                           "commands", "faults", "reliability", "rules"])
        let id = try map.required("kind").identifier("kind")
        let name = try map.optional("name")?.string("name") ?? id
        let description = try map.optional("description")?.string("description") ?? ""
        let sampleInterval = try map.optional("sample_interval")?.duration("sample_interval") ?? .seconds(1)
        guard sampleInterval >= .milliseconds(10) else {
            throw try map.required("sample_interval").error("sample_interval must be at least 10ms")
        }

        var properties: [PropertySpec] = []
        let propertyMap = try map.required("properties").mapping("properties")
        for entry in propertyMap.entries {
            if let property = diagnostics.collect({ try parseProperty(entry.key, keyNode: entry.keyNode, entry.value) }) {
                properties.append(property)
            }
        }
        if properties.isEmpty && propertyMap.entries.isEmpty {
            throw propertyMap.location.error("a kind needs at least one property")
        }
        checkReferences(properties, diagnostics: diagnostics)

        let states = diagnostics.collect { () throws(ModelError) -> StateModel in
            let states = try parseStates(map.optional("states"))
            guard states.reaches(.running, from: states.initial) else {
                throw (map.optional("states") ?? root).error("no sequence of allowed transitions leads from '\(states.initial)' to 'running'")
            }
            return states
        } ?? StateModel.default
        let production = diagnostics.collect { try parseProduction(map.optional("production")) } ?? .init(idealCycleTime: .seconds(60), partsPerCycle: 1, scrapRate: 0, cycleVariation: 0)
        let commands = diagnostics.collect { try parseCommands(map.optional("commands")) } ?? Set(MachineCommand.allCases)
        var faults: [FaultSpec] = []
        if let faultMap = diagnostics.collect({ try map.optional("faults")?.mapping("faults") }) ?? nil {
            for entry in faultMap.entries {
                if let fault = diagnostics.collect({ try parseFault(entry.key, keyNode: entry.keyNode, entry.value, properties: properties) }) {
                    faults.append(fault)
                }
            }
        }
        let reliability = diagnostics.collect { try parseReliability(map.optional("reliability"), faults: faults) } ?? nil
        var kind = MachineKind(
            id: id, name: name, description: description, sampleInterval: sampleInterval, properties: properties,
            states: states, production: production, commands: commands, faults: faults, reliability: reliability,
            rules: [], location: root.location)
        if let rules = map.optional("rules") {
            kind.rules = RuleParser.parseRules(rules, kind: kind, diagnostics: diagnostics)
        }
        return kind
    }

    private static func parseProperty(_ name: String, keyNode: YAMLNode, _ node: YAMLNode) throws(ModelError) -> PropertySpec {
        _ = try keyNode.identifier("property name")
        let map = try node.mapping("property '\(name)'")
        try map.checkKeys(["type", "unit", "normal", "limits", "decimals", "signal", "description"])
        let typeText = try map.optional("type")?.string("type") ?? "number"
        guard let type = PropertySpec.ValueType(rawValue: typeText) else {
            throw try map.required("type").error("type must be number or integer, not '\(typeText)'")
        }
        let unitNode = try map.required("unit")
        let unit = try unitNode.string("unit")
        guard knownUnits.contains(unit) else {
            let hint = Spelling.hint(for: unit, in: Array(knownUnits))
            throw unitNode.error("unknown unit '\(unit)' for property '\(name)'\(hint)")
        }
        let normal = try map.required("normal").range("normal range of '\(name)'")
        let limitsNode = map.optional("limits")
        let limits = try limitsNode?.range("limits of '\(name)'") ?? normal
        guard limits.lowerBound <= normal.lowerBound && normal.upperBound <= limits.upperBound else {
            throw (limitsNode ?? node).error("impossible range: the normal range \(normal) of '\(name)' is outside its limits \(limits)")
        }
        let decimals = try map.optional("decimals")?.int("decimals") ?? (type == .integer ? 0 : 2)
        guard (0...9).contains(decimals) else { throw try map.required("decimals").error("decimals must be 0 to 9") }
        var signal = SignalSpec()
        if let signalNode = map.optional("signal") {
            signal = try parseSignal(signalNode, property: name)
        } else {
            signal.constant = (normal.lowerBound + normal.upperBound) / 2
        }
        return PropertySpec(name: name, type: type, unit: unit, normal: normal, limits: limits, decimals: decimals,
                            signal: signal, location: keyNode.location)
    }

    static func parseSignal(_ node: YAMLNode, property: String) throws(ModelError) -> SignalSpec {
        let map = try node.mapping("the signal of '\(property)'")
        try map.checkKeys(["constant", "target", "follow", "lag", "couple", "noise", "walk", "sine", "daily", "wear", "replay"])
        var signal = SignalSpec()
        signal.constant = try map.optional("constant")?.double("constant")
        if let target = map.optional("target") {
            signal.target = try parseStateValues(target, what: "target")
        }
        signal.follow = try parseTerms(map.optional("follow"), what: "follow")
        signal.couple = try parseTerms(map.optional("couple"), what: "couple")
        signal.lag = try map.optional("lag")?.duration("lag")
        if let noise = map.optional("noise") {
            let sigma = try noise.double("noise")
            guard sigma >= 0 else { throw noise.error("noise is a standard deviation and must not be negative") }
            signal.noise = sigma
        }
        if let walk = map.optional("walk") {
            let walkMap = try walk.mapping("walk")
            try walkMap.checkKeys(["step", "range"])
            signal.walk = .init(step: abs(try walkMap.required("step").double("walk step")),
                                range: try walkMap.required("range").range("walk range"))
        }
        if let sine = map.optional("sine") {
            let sineMap = try sine.mapping("sine")
            try sineMap.checkKeys(["amplitude", "period", "phase"])
            let period = try sineMap.required("period").duration("sine period")
            guard period > .zero else { throw sine.error("the sine period must be positive") }
            signal.sine = .init(amplitude: try sineMap.required("amplitude").double("amplitude"), period: period,
                                phase: try sineMap.optional("phase")?.double("phase") ?? 0)
        }
        if let daily = map.optional("daily") {
            let dailyMap = try daily.mapping("daily")
            try dailyMap.checkKeys(["amplitude", "peak"])
            let peakNode = try dailyMap.required("peak")
            let peakText = try peakNode.string("peak")
            guard let peak = ClockTime.parse(peakText) else { throw peakNode.error("peak must be a time of day such as 14:00") }
            signal.daily = .init(amplitude: try dailyMap.required("amplitude").double("amplitude"), peakHour: peak.hours)
        }
        if let wear = map.optional("wear") {
            let wearMap = try wear.mapping("wear")
            try wearMap.checkKeys(["per_hour", "initial"])
            let perHour = try wearMap.required("per_hour").double("per_hour")
            guard perHour >= 0 else { throw wear.error("wear only grows: per_hour must not be negative") }
            signal.wear = .init(perHour: perHour, initial: try wearMap.optional("initial")?.double("initial") ?? 0)
        }
        if let replay = map.optional("replay") {
            signal.replay = try CSVReplay.load(replay)
        }
        if signal.target == nil && signal.constant == nil && signal.couple.isEmpty && signal.wear == nil && signal.replay == nil {
            throw node.error("the signal of '\(property)' needs a level: constant, target, couple, wear or replay")
        }
        if signal.lag != nil && signal.target == nil {
            throw try map.required("lag").error("lag needs a target to move toward")
        }
        if !signal.follow.isEmpty && signal.target == nil {
            throw try map.required("follow").error("follow adds to a target; give the signal a target")
        }
        return signal
    }

    static func parseStateValues(_ node: YAMLNode, what: String) throws(ModelError) -> SignalSpec.StateValues {
        if node.node.scalar != nil {
            return .init(values: [:], fallback: try node.double(what))
        }
        var values: [MachineState: Double] = [:]
        var fallback = 0.0
        for entry in try node.mapping(what).entries {
            if entry.key == "default" {
                fallback = try entry.value.double("\(what) default")
                continue
            }
            guard let state = MachineState(rawValue: entry.key) else {
                let hint = Spelling.hint(for: entry.key, in: MachineState.allCases.map(\.rawValue) + ["default"])
                throw entry.keyNode.error("unknown state '\(entry.key)' in \(what)\(hint)")
            }
            values[state] = try entry.value.double("\(what) for \(entry.key)")
        }
        return .init(values: values, fallback: fallback)
    }

    private static func parseTerms(_ node: YAMLNode?, what: String) throws(ModelError) -> [SignalSpec.Term] {
        guard let node else { return [] }
        return try node.mapping(what).entries.map { entry throws(ModelError) in
            SignalSpec.Term(property: entry.key, coefficient: try entry.value.double("\(what) coefficient of '\(entry.key)'"))
        }
    }

    /// Every `follow`/`couple` names a property of the kind, and no property depends on itself.
    private static func checkReferences(_ properties: [PropertySpec], diagnostics: DiagnosticCollector) {
        let names = properties.map(\.name)
        for property in properties {
            for dependency in property.signal.dependencies where !names.contains(dependency) {
                let hint = Spelling.hint(for: dependency, in: names)
                diagnostics.record(ModelError("unknown property '\(dependency)' in the signal of '\(property.name)'\(hint)", at: property.location))
            }
        }
        if let cycle = DependencyOrder.cycle(in: properties) {
            let first = properties.first { $0.name == cycle[0] }!
            diagnostics.record(ModelError("cyclic coupling: \(cycle.joined(separator: " → "))", at: first.location))
        }
    }

    private static func parseStates(_ node: YAMLNode?) throws(ModelError) -> StateModel {
        guard let node else { return .default }
        let map = try node.mapping("states")
        try map.checkKeys(["initial", "transitions"])
        func state(_ node: YAMLNode) throws(ModelError) -> MachineState {
            let text = try node.string("state")
            guard let state = MachineState(rawValue: text) else {
                let hint = Spelling.hint(for: text, in: MachineState.allCases.map(\.rawValue))
                throw node.error("unknown state '\(text)'\(hint)")
            }
            return state
        }
        let initial = try map.optional("initial").map { node throws(ModelError) in try state(node) } ?? .idle
        var transitions: [MachineState: Set<MachineState>] = [:]
        if let transitionNode = map.optional("transitions") {
            for entry in try transitionNode.mapping("transitions").entries {
                let from = try state(entry.keyNode)
                var targets: Set<MachineState> = []
                for target in try entry.value.sequence("transitions from '\(entry.key)'") {
                    targets.insert(try state(target))
                }
                transitions[from] = targets
            }
        } else {
            transitions = StateModel.default.transitions
        }
        return StateModel(initial: initial, transitions: transitions)
    }

    private static func parseProduction(_ node: YAMLNode?) throws(ModelError) -> ProductionSpec {
        guard let node else { return .init(idealCycleTime: .seconds(60), partsPerCycle: 1, scrapRate: 0, cycleVariation: 0) }
        let map = try node.mapping("production")
        try map.checkKeys(["ideal_cycle_time", "parts_per_cycle", "scrap_rate", "cycle_variation"])
        let cycle = try map.required("ideal_cycle_time").duration("ideal_cycle_time")
        guard cycle > .zero else { throw try map.required("ideal_cycle_time").error("ideal_cycle_time must be positive") }
        let parts = try map.optional("parts_per_cycle")?.int("parts_per_cycle") ?? 1
        guard parts >= 1 else { throw try map.required("parts_per_cycle").error("parts_per_cycle must be at least 1") }
        let scrap = try map.optional("scrap_rate")?.double("scrap_rate") ?? 0
        guard (0...1).contains(scrap) else { throw try map.required("scrap_rate").error("scrap_rate is a probability from 0 to 1") }
        let variation = try map.optional("cycle_variation")?.double("cycle_variation") ?? 0.03
        guard (0...1).contains(variation) else { throw try map.required("cycle_variation").error("cycle_variation is a fraction from 0 to 1") }
        return .init(idealCycleTime: cycle, partsPerCycle: parts, scrapRate: scrap, cycleVariation: variation)
    }

    private static func parseCommands(_ node: YAMLNode?) throws(ModelError) -> Set<MachineCommand> {
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

    private static func parseFault(_ name: String, keyNode: YAMLNode, _ node: YAMLNode, properties: [PropertySpec]) throws(ModelError) -> FaultSpec {
        _ = try keyNode.identifier("fault name")
        let map = try node.mapping("fault '\(name)'")
        try map.checkKeys(["effect", "property", "acceleration", "fails_at", "rise", "cuts", "trips_at", "scrap_rate",
                           "per_hour", "magnitude", "probability", "duration", "description"])
        let effectNode = try map.required("effect")
        let effectName = try effectNode.string("effect")
        func property(_ key: String = "property") throws(ModelError) -> String {
            let node = try map.required(key)
            let value = try node.string(key)
            guard properties.contains(where: { $0.name == value }) else {
                let hint = Spelling.hint(for: value, in: properties.map(\.name))
                throw node.error("unknown property '\(value)' in fault '\(name)'\(hint)")
            }
            return value
        }
        func number(_ key: String, default fallback: Double? = nil) throws(ModelError) -> Double {
            if let node = map.optional(key) { return try node.double(key) }
            if let fallback { return fallback }
            throw map.location.error("fault '\(name)' (\(effectName)) needs '\(key)'")
        }
        let effect: FaultEffect
        switch effectName {
        case "bearing_wear":
            let wearing = try property()
            guard properties.first(where: { $0.name == wearing })?.signal.wear != nil else {
                throw try map.required("property").error("bearing_wear acts on a property with a wear signal; '\(wearing)' has none")
            }
            let acceleration = try number("acceleration")
            guard acceleration > 0 else { throw try map.required("acceleration").error("acceleration must be positive (×1 is normal wear)") }
            effect = .bearingWear(property: wearing, acceleration: acceleration, failsAt: try number("fails_at"))
        case "overheating":
            effect = .overheating(property: try property(), rise: try number("rise"),
                                  cuts: map.optional("cuts") == nil ? nil : try property("cuts"),
                                  tripsAt: try map.optional("trips_at")?.double("trips_at"))
        case "tool_breakage":
            let rate = try number("scrap_rate")
            guard (0...1).contains(rate) else { throw try map.required("scrap_rate").error("scrap_rate is a probability from 0 to 1") }
            effect = .toolBreakage(scrapRate: rate)
        case "sensor_stuck": effect = .sensorStuck(property: try property())
        case "sensor_drift": effect = .sensorDrift(property: try property(), perHour: try number("per_hour"))
        case "sensor_dropout": effect = .sensorDropout(property: try property())
        case "sensor_spikes":
            effect = .sensorSpikes(property: try property(), magnitude: try number("magnitude"), probability: try number("probability", default: 0.05))
        case "network_loss", "power_loss":
            // While the network is down no command reaches the machine, so the fault must end by itself.
            guard map.optional("duration") != nil else {
                throw effectNode.error("a \(effectName) fault needs a duration: commands cannot reach the machine to clear it")
            }
            effect = effectName == "network_loss" ? .networkLoss : .powerLoss
        default:
            let known = ["bearing_wear", "overheating", "tool_breakage", "sensor_stuck", "sensor_drift", "sensor_dropout",
                         "sensor_spikes", "network_loss", "power_loss"]
            let hint = Spelling.hint(for: effectName, in: known)
            throw effectNode.error("unknown fault effect '\(effectName)'\(hint)")
        }
        return FaultSpec(name: name, effect: effect, duration: try map.optional("duration")?.duration("duration"),
                         description: try map.optional("description")?.string("description") ?? "", location: keyNode.location)
    }

    private static func parseReliability(_ node: YAMLNode?, faults: [FaultSpec]) throws(ModelError) -> Reliability? {
        guard let node else { return nil }
        let map = try node.mapping("reliability")
        try map.checkKeys(["mtbf", "mttr", "faults"])
        let mtbf = try map.required("mtbf").duration("mtbf")
        let mttr = try map.required("mttr").duration("mttr")
        guard mtbf > .zero, mttr > .zero else { throw node.error("mtbf and mttr must be positive") }
        var names: [String] = []
        for item in try map.required("faults").sequence("reliability faults") {
            let name = try item.string("fault")
            guard faults.contains(where: { $0.name == name }) else { throw item.error("unknown fault '\(name)' in reliability") }
            names.append(name)
        }
        return Reliability(mtbf: mtbf, mttr: mttr, faults: names)
    }
}

extension SourceLocation {
    func error(_ message: String) -> ModelError { ModelError(message, at: self) }
}

extension StateModel {
    /// PackML-inspired transitions, used when a kind does not list its own.
    public static let `default` = StateModel(initial: .idle, transitions: [
        .idle: [.setup, .running, .stopped, .maintenance],
        .setup: [.running, .idle, .stopped],
        .running: [.held, .starved, .idle, .stopped],
        .held: [.running, .stopped, .idle],
        .starved: [.running, .stopped, .idle],
        .stopped: [.idle, .setup, .running, .maintenance],
        .fault: [.stopped, .maintenance, .idle],
        .maintenance: [.idle, .stopped],
        .offline: [.idle],
    ])
}
