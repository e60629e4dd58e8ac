import Foundation

/// Reads `twins/*.yaml` into ``MachineKind``s, reporting every problem as `file:line:column: message`.
///
/// A kind file holds the three parts of a kind side by side, a property's signal inside the property and a fault's
/// effect inside the fault: this file walks the file and hands each piece to the part it belongs to
/// (`KindLoader+Interface.swift`, `KindLoader+Simulation.swift`, ``RuleParser``).
public enum KindLoader {
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
        try load(files: YAMLFiles.list(in: path))
    }

    /// The kinds built into TwinHub (the repository's `twins/`, compiled in).
    public static func loadBuiltIn() throws(ModelErrors) -> [String: MachineKind] {
        try load(files: YAMLFiles.builtIn(in: "twins"))
    }

    /// The built-in kinds, with the kinds of `folder` added and taking the place of built-in kinds of the same id.
    public static func loadBuiltIn(overriddenBy folder: String) throws(ModelErrors) -> [String: MachineKind] {
        try loadBuiltIn().merging(loadDirectory(folder)) { _, folder in folder }
    }

    /// Loads `files`; errors of all files together, and of two files defining one kind.
    private static func load(files: [String]) throws(ModelErrors) -> [String: MachineKind] {
        var kinds: [String: MachineKind] = [:]
        var errors: [ModelError] = []
        for file in files {
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
        let sampleInterval = try parseSampleInterval(map)

        var properties: [PropertySpec] = []
        var signals: [PropertySignal] = []
        let propertyMap = try map.required("properties").mapping("properties")
        for entry in propertyMap.entries {
            if let (property, signal) = diagnostics.collect({ try parseProperty(entry.key, keyNode: entry.keyNode, entry.value) }) {
                properties.append(property)
                signals.append(signal)
            }
        }
        if properties.isEmpty && propertyMap.entries.isEmpty {
            throw propertyMap.location.error("a kind needs at least one property")
        }
        checkReferences(signals, of: properties, diagnostics: diagnostics)

        let states = diagnostics.collect { () throws(ModelError) -> StateModel in
            let states = try parseStates(map.optional("states"))
            guard states.reaches(.running, from: states.initial) else {
                throw (map.optional("states") ?? root).error("no sequence of allowed transitions leads from '\(states.initial)' to 'running'")
            }
            return states
        } ?? StateModel.default
        let (production, simulatedProduction) = diagnostics.collect { try parseProduction(map.optional("production")) }
            ?? (.default, .exact)
        let commands = diagnostics.collect { try parseCommands(map.optional("commands")) } ?? Set(MachineCommand.allCases)
        var faults: [FaultSpec] = []
        var simulatedFaults: [SimulatedFault] = []
        if let faultMap = diagnostics.collect({ try map.optional("faults")?.mapping("faults") }) ?? nil {
            for entry in faultMap.entries {
                if let (fault, simulated) = diagnostics.collect({ try parseFault(entry.key, keyNode: entry.keyNode, entry.value, signals: signals) }) {
                    faults.append(fault)
                    simulatedFaults.append(simulated)
                }
            }
        }
        let reliability = diagnostics.collect { try parseReliability(map.optional("reliability"), faults: simulatedFaults) } ?? nil
        let interface = MachineInterface(
            id: id, name: name, description: description, sampleInterval: sampleInterval, properties: properties,
            states: states, commands: commands, faults: faults, production: production)
        let profile = SimulationProfile(signals: signals, faults: simulatedFaults, reliability: reliability, production: simulatedProduction)
        let rules = map.optional("rules").map { RuleParser.parseRules($0, interface: interface, diagnostics: diagnostics) } ?? []
        return MachineKind(interface: interface, profile: profile, rules: rules, location: root.location)
    }

    /// A property: its interface fields, then its signal.
    private static func parseProperty(_ name: String, keyNode: YAMLNode, _ node: YAMLNode) throws(ModelError) -> (PropertySpec, PropertySignal) {
        _ = try keyNode.identifier("property name")
        let map = try node.mapping("property '\(name)'")
        try map.checkKeys(["type", "unit", "normal", "normal_while", "limits", "decimals", "signal", "description"])
        let property = try parsePropertySpec(name, map, node: node, location: keyNode.location)
        return (property, try parsePropertySignal(map.optional("signal"), of: property))
    }

    /// A fault: its effect, then its interface fields.
    private static func parseFault(_ name: String, keyNode: YAMLNode, _ node: YAMLNode, signals: [PropertySignal]) throws(ModelError) -> (FaultSpec, SimulatedFault) {
        _ = try keyNode.identifier("fault name")
        let map = try node.mapping("fault '\(name)'")
        try map.checkKeys(["effect", "property", "acceleration", "fails_at", "rise", "cuts", "trips_at", "scrap_rate",
                           "per_hour", "magnitude", "probability", "duration", "description"])
        let simulated = try parseSimulatedFault(name, map, signals: signals)
        let fault = FaultSpec(name: name, effect: simulated.effect.kind, description: try map.optional("description")?.string("description") ?? "",
                              location: keyNode.location)
        return (fault, simulated)
    }

    /// `production:`: the ideal rate, then how the simulation strays from it.
    private static func parseProduction(_ node: YAMLNode?) throws(ModelError) -> (ProductionSpec, SimulatedProduction) {
        guard let node else { return (.default, .exact) }
        let map = try node.mapping("production")
        try map.checkKeys(["ideal_cycle_time", "parts_per_cycle", "scrap_rate", "cycle_variation"])
        return (try parseProductionSpec(map), try parseSimulatedProduction(map))
    }
}
