import RuleLanguage
import Foundation

/// Reads `simulations/*.yaml` into ``Scenario``s against a set of kinds, reporting every problem as
/// `file:line:column: message`.
public enum ScenarioLoader {
    /// The speed range a scenario may ask for.
    public static let speedRange = 0.01...86_400.0
    /// The most machines one scenario may hold.
    public static let maximumMachines = 1_000_000

    public static func load(file path: String, kinds: [String: MachineKind]) throws(ModelErrors) -> Scenario {
        let text = try YAMLFiles.read(path)
        return try load(yaml: text, file: path, kinds: kinds)
    }

    public static func load(yaml text: String, file: String, kinds: [String: MachineKind]) throws(ModelErrors) -> Scenario {
        let diagnostics = DiagnosticCollector()
        let scenario = diagnostics.collect { () throws -> Scenario? in
            try parseScenario(try YAMLNode.parse(text, file: file), kinds: kinds, diagnostics: diagnostics)
        } ?? nil
        try diagnostics.throwIfAny()
        // A scenario that was not read has an error collected; this guards a path that forgot to record one.
        guard let scenario else { throw ModelErrors([ModelError("the scenario could not be read", at: SourceLocation(file: file, line: 1, column: 1))]) }
        return scenario
    }

    private static func parseScenario(_ root: YAMLNode, kinds: [String: MachineKind], diagnostics: DiagnosticCollector) throws(ModelError) -> Scenario? {
        let map = try root.mapping("a scenario")
        try map.checkKeys(["scenario", "name", "description", "enterprise", "seed", "speed", "start", "shifts",
                           "planned_downtime", "setup_time", "microstops", "sites", "protocol", "sparkplug"])
        let id = try map.required("scenario").identifier("scenario")
        let wire = try parseWire(map)
        let enterprise = try map.optional("enterprise")?.identifier("enterprise") ?? "factory"
        let seed = UInt64(truncatingIfNeeded: try map.optional("seed")?.int("seed") ?? 1)
        let speed = try map.optional("speed")?.double("speed") ?? 1
        guard speedRange.contains(speed) else {
            throw try map.required("speed").error("speed must be from \(speedRange.lowerBound) to \(Int(speedRange.upperBound)), not \(speed)")
        }
        var start = Date(timeIntervalSince1970: 1_772_431_200)  // 2026-03-02T06:00:00Z, a Monday
        if let startNode = map.optional("start") {
            let text = try startNode.string("start")
            guard let date = ISO8601Parsing.date(text) else {
                throw startNode.error("start must be an ISO 8601 UTC time such as 2026-03-02T06:00:00Z, not '\(text)'")
            }
            start = date
        }
        let shifts = diagnostics.collect { try parseWindows(map.optional("shifts"), what: "shift") } ?? []
        let downtime = diagnostics.collect { try parseWindows(map.optional("planned_downtime"), what: "planned downtime") } ?? []
        let setupTime = try map.optional("setup_time")?.duration("setup_time") ?? .seconds(600)
        var microstops: Microstops?
        if let node = map.optional("microstops") {
            microstops = diagnostics.collect { try parseMicrostops(node) }
        }

        var machines: [MachineInstance] = []
        var placements: [PlantPath: Placement] = [:]
        var seen: [String: SourceLocation] = [:]
        for siteNode in try map.required("sites").sequence("sites") {
            let instances = diagnostics.collect {
                try parseSite(siteNode, enterprise: enterprise, kinds: kinds, placements: &placements, diagnostics: diagnostics)
            } ?? []
            for instance in instances {
                let key = instance.path.description
                if let first = seen[key] {
                    diagnostics.record(ModelError("machine '\(instance.id)' is already on line '\(instance.path.line ?? "")' (at \(first))", at: instance.location))
                } else {
                    seen[key] = instance.location
                    machines.append(instance)
                }
            }
        }
        if machines.count > maximumMachines {
            throw try map.required("sites").error("the scenario has \(machines.count) machines; at most \(maximumMachines)")
        }
        if machines.isEmpty && diagnostics.errors.isEmpty {
            throw try map.required("sites").error("the scenario has no machines")
        }
        var scenario = Scenario(
            id: id, name: try map.optional("name")?.string("name") ?? id,
            description: try map.optional("description")?.string("description") ?? "",
            enterprise: enterprise, seed: seed, speed: speed, start: start, shifts: shifts, plannedDowntime: downtime,
            setupTime: setupTime, microstops: microstops, machines: machines, location: root.location)
        scenario.placements = placements
        scenario.wire = wire
        return scenario
    }

    /// `protocol:` and `sparkplug:`.
    private static func parseWire(_ map: YAMLMapping) throws(ModelError) -> ScenarioWire {
        var wire = ScenarioWire()
        func oneOf(_ node: YAMLNode, _ what: String, _ allowed: [String]) throws(ModelError) -> String {
            let text = try node.string(what)
            guard allowed.contains(text) else {
                throw node.error("\(what) must be \(allowed.joined(separator: ", ")), not '\(text)'")
            }
            return text
        }
        if let node = map.optional("protocol") { wire.protocolName = try oneOf(node, "protocol", ScenarioWire.protocols) }
        if let node = map.optional("sparkplug") {
            let sparkplug = try node.mapping("sparkplug")
            try sparkplug.checkKeys(["group", "edge_node", "primary_host"])
            wire.sparkplugGroup = try sparkplug.optional("group")?.identifier("sparkplug group")
            if let scope = sparkplug.optional("edge_node") { wire.edgeNode = try oneOf(scope, "edge_node", ScenarioWire.nodeScopes) }
            wire.primaryHost = try sparkplug.optional("primary_host")?.identifier("primary_host")
        }
        return wire
    }

    private static func parseSite(_ node: YAMLNode, enterprise: String, kinds: [String: MachineKind], placements: inout [PlantPath: Placement],
                                  diagnostics: DiagnosticCollector) throws -> [MachineInstance] {
        let site = try node.mapping("a site")
        try site.checkKeys(["id", "name", "areas"] + placementKeys)
        let siteID = try site.required("id").identifier("site id")
        placements[PlantPath(site: siteID)] = try parsePlacement(site)
        var instances: [MachineInstance] = []
        for areaNode in try site.required("areas").sequence("areas") {
            let area = try areaNode.mapping("an area")
            try area.checkKeys(["id", "name", "lines"] + placementKeys)
            let areaID = try area.required("id").identifier("area id")
            placements[PlantPath(site: siteID, area: areaID)] = try parsePlacement(area)
            for lineNode in try area.required("lines").sequence("lines") {
                let line = try lineNode.mapping("a line")
                try line.checkKeys(["id", "name", "machines"] + placementKeys)
                let lineID = try line.required("id").identifier("line id")
                let base = PlantPath(site: siteID, area: areaID, line: lineID)
                placements[base] = try parsePlacement(line)
                for machineNode in try line.required("machines").sequence("machines") {
                    let parsed = diagnostics.collect { try parseMachines(machineNode, base: base, kinds: kinds, diagnostics: diagnostics) }
                    guard let parsed else { continue }
                    instances += parsed.instances
                    for (instance, placement) in zip(parsed.instances, parsed.placements) { placements[instance.path] = placement }
                }
            }
        }
        return instances
    }

    private static func parseMachines(_ node: YAMLNode, base: PlantPath, kinds: [String: MachineKind],
                                      diagnostics: DiagnosticCollector) throws(ModelError) -> (instances: [MachineInstance], placements: [Placement]) {
        let map = try node.mapping("a machine")
        try map.checkKeys(["id", "kind", "count", "properties", "production", "faults", "random_faults", "rules", "name"] + placementKeys)
        let placement = try parsePlacement(map)
        let idNode = try map.required("id")
        let id = try idNode.identifier("machine id")
        let kindNode = try map.required("kind")
        let kindID = try kindNode.string("kind")
        guard var kind = kinds[kindID] else {
            let hint = Spelling.hint(for: kindID, in: Array(kinds.keys))
            throw kindNode.error("unknown kind '\(kindID)'\(hint) (known: \(kinds.keys.sorted().joined(separator: ", ")))")
        }
        try applyOverrides(map, to: &kind)
        var scheduled: [ScheduledFault] = []
        if let faults = map.optional("faults") {
            for item in try faults.sequence("faults") {
                let fault = try item.mapping("a scheduled fault")
                try fault.checkKeys(["fault", "at", "duration"])
                let nameNode = try fault.required("fault")
                let name = try nameNode.string("fault")
                guard kind.interface.fault(named: name) != nil else {
                    let hint = Spelling.hint(for: name, in: kind.interface.faults.map(\.name))
                    throw nameNode.error("kind '\(kind.id)' has no fault '\(name)'\(hint)")
                }
                scheduled.append(ScheduledFault(fault: name, at: try fault.required("at").duration("at"),
                                                duration: try fault.optional("duration")?.duration("duration")))
            }
        }
        let ruleOverrides = map.optional("rules").map { RuleParser.parseOverrides($0, kind: kind, diagnostics: diagnostics) } ?? []
        let random = try map.optional("random_faults")?.bool("random_faults") ?? (kind.profile.reliability != nil)
        let count = try map.optional("count")?.int("count") ?? 1
        guard (1...1_000_000).contains(count) else { throw try map.required("count").error("count must be from 1 to 1000000") }
        let width = max(2, String(count).count)
        let instances = (1...count).map { index in
            let name = count == 1 && map.optional("count") == nil ? id : "\(id)-\(String(repeating: "0", count: width - String(index).count))\(index)"
            let path = PlantPath(site: base.site, area: base.area!, line: base.line!, machine: name)
            return MachineInstance(path: path, kind: kind, scheduledFaults: scheduled, randomFaults: random, ruleOverrides: ruleOverrides,
                                   location: idNode.location)
        }
        return (instances, placement.spread(count))
    }

    /// Per-machine changes to its kind: property ranges and signals, production figures.
    private static func applyOverrides(_ map: YAMLMapping, to kind: inout MachineKind) throws(ModelError) {
        if let properties = map.optional("properties") {
            for entry in try properties.mapping("properties").entries {
                guard let index = kind.interface.properties.firstIndex(where: { $0.name == entry.key }) else {
                    let hint = Spelling.hint(for: entry.key, in: kind.interface.properties.map(\.name))
                    throw entry.keyNode.error("kind '\(kind.id)' has no property '\(entry.key)'\(hint)")
                }
                let override = try entry.value.mapping("override of '\(entry.key)'")
                try override.checkKeys(["normal", "normal_while", "limits", "signal"])
                var property = kind.interface.properties[index]
                if let normal = override.optional("normal") { property.normal = try normal.range("normal range of '\(entry.key)'") }
                if let states = override.optional("normal_while") { property.normalStates = try states.machineStates("normal_while") }
                if let limits = override.optional("limits") { property.limits = try limits.range("limits of '\(entry.key)'") }
                guard property.limits.contains(property.normal.lowerBound) && property.limits.contains(property.normal.upperBound) else {
                    throw entry.keyNode.error("impossible range: the normal range \(property.normal) of '\(entry.key)' is outside its limits \(property.limits)")
                }
                if let signal = override.optional("signal") {
                    let spec = try KindLoader.parseSignal(signal, property: entry.key)
                    for dependency in spec.dependencies where kind.interface.property(named: dependency) == nil {
                        throw signal.error("unknown property '\(dependency)' in the signal of '\(entry.key)'")
                    }
                    kind.profile.signals[index].signal = spec
                }
                kind.interface.properties[index] = property
            }
            if let cycle = DependencyOrder.cycle(in: kind.profile.signals) {
                throw properties.error("cyclic coupling: \(cycle.joined(separator: " → "))")
            }
            for fault in kind.profile.faults {
                if case .bearingWear(let property, _, _) = fault.effect, kind.profile.signal(of: property)?.wear == nil {
                    throw properties.error("fault '\(fault.name)' wears '\(property)': its signal must keep a wear part")
                }
            }
        }
        if let production = map.optional("production") {
            let override = try production.mapping("production")
            try override.checkKeys(["ideal_cycle_time", "scrap_rate"])
            if let cycle = override.optional("ideal_cycle_time") {
                kind.interface.production.idealCycleTime = try cycle.duration("ideal_cycle_time")
                guard kind.interface.production.idealCycleTime > .zero else { throw cycle.error("ideal_cycle_time must be positive") }
            }
            if let scrap = override.optional("scrap_rate") {
                kind.profile.production.scrapRate = try scrap.double("scrap_rate")
                guard (0...1).contains(kind.profile.production.scrapRate) else { throw scrap.error("scrap_rate is a probability from 0 to 1") }
            }
        }
    }

    private static func parseMicrostops(_ node: YAMLNode) throws(ModelError) -> Microstops {
        let stops = try node.mapping("microstops")
        try stops.checkKeys(["per_hour", "duration"])
        let perHour = try stops.required("per_hour").double("per_hour")
        guard perHour >= 0 else { throw node.error("microstops per_hour must not be negative") }
        return Microstops(perHour: perHour, duration: try stops.required("duration").duration("duration"))
    }

    private static func parseWindows(_ node: YAMLNode?, what: String) throws(ModelError) -> [TimeWindow] {
        guard let node else { return [] }
        return try node.sequence("\(what)s").map { item throws(ModelError) in
            let window = try item.mapping("a \(what)")
            try window.checkKeys(["name", "start", "end"])
            func time(_ key: String) throws(ModelError) -> ClockTime {
                let node = try window.required(key)
                let text = try node.string(key)
                guard let time = ClockTime.parse(text) else { throw node.error("\(key) must be a time of day such as 06:00, not '\(text)'") }
                return time
            }
            let start = try time("start"), end = try time("end")
            guard start.secondsOfDay % 86_400 != end.secondsOfDay % 86_400 || start != end && end.secondsOfDay == 86_400 else {
                throw try window.required("end").error("a \(what) that ends when it starts never runs (for all day: 00:00 to 24:00)")
            }
            return TimeWindow(name: try window.optional("name")?.string("name") ?? what, start: start, end: end)
        }
    }
}
