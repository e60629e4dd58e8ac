import RuleLanguage

/// Reading the simulation profile of a kind: signals, fault effects, reliability, how production strays.
extension KindLoader {
    /// The signal of `property` under `signal:`, or a constant at the middle of its normal range without one.
    static func parsePropertySignal(_ node: YAMLNode?, of property: PropertySpec) throws(ModelError) -> PropertySignal {
        var signal = SignalSpec()
        if let node {
            signal = try parseSignal(node, property: property.name)
        } else {
            signal.constant = (property.normal.lowerBound + property.normal.upperBound) / 2
        }
        return PropertySignal(property: property.name, signal: signal)
    }

    static func parseSignal(_ node: YAMLNode, property: String) throws(ModelError) -> SignalSpec {
        let map = try node.mapping("the signal of '\(property)'")
        try map.checkKeys(["constant", "target", "follow", "lag", "couple", "noise", "walk", "sine", "daily", "wear", "replay", "rest"])
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
            try wearMap.checkKeys(["per_hour", "initial", "new"])
            let perHour = try wearMap.required("per_hour").double("per_hour")
            guard perHour >= 0 else { throw wear.error("wear only grows: per_hour must not be negative") }
            signal.wear = .init(perHour: perHour, initial: try wearMap.optional("initial")?.double("initial") ?? 0,
                                new: try wearMap.optional("new")?.double("new") ?? 0)
        }
        if let replay = map.optional("replay") {
            signal.replay = try CSVReplay.load(replay)
        }
        signal.rest = try map.optional("rest")?.double("rest")
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

    private static func parseStateValues(_ node: YAMLNode, what: String) throws(ModelError) -> SignalSpec.StateValues {
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

    /// Every `follow`/`couple` names a property of the kind, and no property depends on itself; errors are at the
    /// property (`properties` and `signals` line up).
    static func checkReferences(_ signals: [PropertySignal], of properties: [PropertySpec], diagnostics: DiagnosticCollector) {
        let names = signals.map(\.property)
        for (property, signal) in zip(properties, signals) {
            for dependency in signal.signal.dependencies where !names.contains(dependency) {
                let hint = Spelling.hint(for: dependency, in: names)
                diagnostics.record(ModelError("unknown property '\(dependency)' in the signal of '\(property.name)'\(hint)", at: property.location))
            }
        }
        if let cycle = DependencyOrder.cycle(in: signals) {
            let first = properties.first { $0.name == cycle[0] }!
            diagnostics.record(ModelError("cyclic coupling: \(cycle.joined(separator: " → "))", at: first.location))
        }
    }

    /// What the fault `name` does, from its mapping (keys checked by the caller), acting on properties with `signals`.
    static func parseSimulatedFault(_ name: String, _ map: YAMLMapping, signals: [PropertySignal]) throws(ModelError) -> SimulatedFault {
        let effectNode = try map.required("effect")
        let effectName = try effectNode.string("effect")
        func property(_ key: String = "property") throws(ModelError) -> String {
            let node = try map.required(key)
            let value = try node.string(key)
            guard signals.contains(where: { $0.property == value }) else {
                let hint = Spelling.hint(for: value, in: signals.map(\.property))
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
            guard signals.first(where: { $0.property == wearing })?.signal.wear != nil else {
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
        return SimulatedFault(name: name, effect: effect, duration: try map.optional("duration")?.duration("duration"))
    }

    static func parseReliability(_ node: YAMLNode?, faults: [SimulatedFault]) throws(ModelError) -> Reliability? {
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

    /// How production strays in `production:`, whose keys the caller has checked.
    static func parseSimulatedProduction(_ map: YAMLMapping) throws(ModelError) -> SimulatedProduction {
        let scrap = try map.optional("scrap_rate")?.double("scrap_rate") ?? 0
        guard (0...1).contains(scrap) else { throw try map.required("scrap_rate").error("scrap_rate is a probability from 0 to 1") }
        let variation = try map.optional("cycle_variation")?.double("cycle_variation") ?? 0.03
        guard (0...1).contains(variation) else { throw try map.required("cycle_variation").error("cycle_variation is a fraction from 0 to 1") }
        return SimulatedProduction(scrapRate: scrap, cycleVariation: variation)
    }
}
