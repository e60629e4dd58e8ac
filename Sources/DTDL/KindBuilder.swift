import TwinModel

/// Builds the kind YAML of one Interface (see ``KindImporter``).
struct KindBuilder {
    let interface: DTDLInterface
    let model: DTDLModel
    private(set) var warnings: [DTDLDiagnostic] = []
    private var properties: [String] = []
    private var notCarried: [String] = []
    private var stateSource: (content: DTDLContent, mapped: [(value: DTDLEnumValue, state: MachineState?)], comment: String?)?
    private var commands: [(MachineCommand, String)] = []

    init(interface: DTDLInterface, model: DTDLModel) {
        self.interface = interface
        self.model = model
    }

    private mutating func warn(_ message: String, at location: DTDLLocation) {
        warnings.append(DTDLDiagnostic(.warning, message, at: location))
    }

    /// The kind, or `nil` (with a warning) when the Interface has nothing to simulate.
    mutating func build(avoiding ids: Set<String>) -> ImportedKind? {
        let note = TwinHubNote.parse(interface.comment)
        var id = checked(note, "kind", at: interface.location, TwinHubNote.isIdentifier) ?? KindImporter.kindID(for: interface.id)
        if ids.contains(id) { id += "_v" + (interface.id.split(separator: ";").last.map(String.init) ?? "2").replacingDots }
        for content in model.contents(of: interface) {
            take(content, prefix: "", from: interface)
        }
        guard !properties.isEmpty else {
            warn("the Interface '\(interface.id)' has no numeric Telemetry or Property: no kind made of it", at: interface.location)
            return nil
        }
        var lines: [String] = []
        lines.append(YAMLText.comment("Imported from DTDL: \(interface.id) (\(interface.location.file))"))
        lines.append("# `twinhub import dtdl` chose the ranges, states and signals below as a starting point: tune them.")
        lines.append("kind: \(id)")
        lines.append("name: \(YAMLText.quoted(interface.displayName ?? KindImporter.words(for: interface.id)))")
        lines.append("description: \(YAMLText.quoted(interface.description ?? "Imported from the DTDL Interface \(interface.id)."))")
        lines.append("sample_interval: \(checked(note, "sample_interval", at: interface.location, TwinHubNote.isDuration) ?? "1s")")
        if let mqtt = interface.mqtt {
            let parts = [mqtt.telemetryTopic.map { "telemetry topic \($0)" }, mqtt.commandTopic.map { "command topic \($0)" },
                         mqtt.payloadFormat.map { "payload format \($0)" }].compactMap { $0 }
            lines.append(YAMLText.comment("The model's MQTT binding (\(parts.joined(separator: ", "))) is kept here only: TwinHub publishes on its own topics."))
            warn("the MQTT extension's topics are not used: TwinHub publishes on its own topic map (they are a comment in the kind)", at: interface.location)
        }
        lines.append("")
        lines.append("properties:")
        lines += properties
        lines.append("")
        lines += stateLines()
        lines.append("")
        if let cycle = checked(note, "ideal_cycle_time", at: interface.location, TwinHubNote.isDuration) {
            lines.append("production:")
            lines.append("  ideal_cycle_time: \(cycle)")
            if let parts = checked(note, "parts_per_cycle", at: interface.location, { Int($0).map { $0 >= 1 } ?? false }) { lines.append("  parts_per_cycle: \(parts)") }
            lines.append("")
        } else {
            lines.append("# production: the model says nothing of a cycle time; TwinHub's default is a part a minute.")
        }
        lines += commandLines()
        if !notCarried.isEmpty {
            lines.append("")
            lines.append("# Not carried over from the model:")
            lines += notCarried.map { YAMLText.comment("  \($0)") }
        }
        return ImportedKind(id: id, interface: interface.id, fileName: id.replacingUnderscores + ".yaml",
                            yaml: lines.joined(separator: "\n") + "\n", warnings: warnings)
    }

    // MARK: Contents

    private mutating func take(_ content: DTDLContent, prefix: String, from owner: DTDLInterface) {
        let name = prefix + content.name
        switch content.kind {
        case .telemetry, .property:
            guard let schema = content.schema else { return }
            takeValue(name: name, schema: schema, content: content, semanticTypes: content.semanticTypes, unit: content.unit)
        case .command(let request, _):
            guard prefix.isEmpty else {
                skip("Command '\(name)' of a Component: TwinHub commands address the whole machine", at: content.location)
                return
            }
            guard let command = Self.command(content.name) else {
                skip("Command '\(content.name)': TwinHub machines accept \(MachineCommand.allCases.map(\.rawValue).joined(separator: ", "))", at: content.location)
                return
            }
            let detail = request.map { " (request '\($0.name)', \($0.schema.summary))" } ?? ""
            commands.append((command, "\(content.name)\(detail)"))
        case .component(let target):
            guard prefix.isEmpty, let component = model.interface(target) else { return }
            for inner in model.contents(of: component) {
                take(inner, prefix: name + "_", from: component)
            }
        case .relationship(let target):
            notCarried.append("Relationship '\(name)'\(target.map { " → \($0)" } ?? ""): kinds have no relationships (metadata only)")
        }
    }

    private mutating func takeValue(name: String, schema: DTDLSchema, content: DTDLContent, semanticTypes: [String], unit: String?) {
        switch schema {
        case .primitive(let primitive) where DTDLSchema.numeric.contains(primitive):
            addNumber(name: name, integer: primitive == "integer" || primitive == "long", content: content, semanticTypes: semanticTypes, unit: unit)
        case .primitive("boolean"):
            addProperty(name: name, type: "integer", unit: "", defaults: .boolean, origin: origin(content, "boolean"), content: content)
        case .enumeration(_, let values, let comment):
            if stateSource == nil, let mapped = StateNames.states(of: values) {
                stateSource = (content, mapped, comment)
                return
            }
            let integers = values.compactMap { value -> Int? in if case .integer(let number) = value.value { return number } else { return nil } }
            guard !integers.isEmpty, integers.count == values.count, let low = integers.min(), let high = integers.max() else {
                skip("\(content.kind.className) '\(name)': an Enum of strings is not a number", at: content.location)
                return
            }
            var defaults = PropertyDefaults(normal: Double(low)...Double(high), limits: Double(low)...Double(high), decimals: 0,
                                            signal: "{ constant: \(low) }", why: "an Enum holds its first value: \(values.map { "\($0.value) = \($0.name)" }.joined(separator: ", "))")
            defaults.decimals = 0
            addProperty(name: name, type: "integer", unit: "", defaults: defaults, origin: origin(content, "integer Enum"), content: content)
        case .object(let fields):
            for field in fields {
                takeValue(name: name + "_" + field.name, schema: field.schema, content: content, semanticTypes: field.semanticTypes, unit: field.unit)
            }
        default:
            skip("\(content.kind.className) '\(name)' (\(schema.summary)): TwinHub properties are numbers", at: content.location)
        }
    }

    private mutating func addNumber(name: String, integer: Bool, content: DTDLContent, semanticTypes: [String], unit: String?) {
        let note = TwinHubNote.parse(content.comment)
        let symbol = checked(note, "unit", at: content.location, PropertySpec.knownUnits.contains) ?? self.symbol(for: unit, name: name, at: content.location)
        let looksCounted = symbol == "count" || (unit == nil && integer && name.lowercased().contains("count"))
        var defaults = looksCounted ? PropertyDefaults.counter : PropertyDefaults.forUnit(symbol)
        if let normal = TwinHubNote.range(note["normal"]) { defaults.normal = normal }
        if let limits = TwinHubNote.range(note["limits"]) { defaults.limits = limits }
        if let decimals = note["decimals"].flatMap(Int.init), (0...9).contains(decimals) { defaults.decimals = decimals }
        if defaults.limits.lowerBound > defaults.normal.lowerBound || defaults.limits.upperBound < defaults.normal.upperBound {
            defaults.limits = min(defaults.limits.lowerBound, defaults.normal.lowerBound)...max(defaults.limits.upperBound, defaults.normal.upperBound)
        }
        let type = checked(note, "type", at: content.location, { $0 == "integer" || $0 == "number" }) ?? (integer ? "integer" : "number")
        if type == "integer" && note["decimals"] == nil { defaults.decimals = 0 }
        let described = ([content.kind.className] + semanticTypes + (unit.map { ["in \($0)"] } ?? [])).joined(separator: ", ")
        addProperty(name: name, type: type, unit: looksCounted ? "count" : symbol, defaults: defaults, origin: described, content: content,
                    normalWhile: checked(note, "normal_while", at: content.location, TwinHubNote.isStateList), fromNote: !note.isEmpty)
    }

    private mutating func addProperty(name: String, type: String, unit: String, defaults: PropertyDefaults, origin: String, content: DTDLContent,
                                      normalWhile: String? = nil, fromNote: Bool = false) {
        guard !properties.contains(where: { $0 == "  \(name):" }) else {
            skip("\(content.kind.className) '\(name)': another property of the kind already has this name", at: content.location)
            return
        }
        var writable = ""
        if case .property(true) = content.kind { writable = "; writable in the model (a setpoint): simulated as telemetry" }
        properties.append("  \(name):")
        properties.append("    " + YAMLText.comment("\(origin) (\(content.location.path))\(writable)"))
        if type == "integer" { properties.append("    type: integer") }
        properties.append("    unit: \(YAMLText.quoted(unit))")
        let tune = fromNote ? "" : "    # tune: a default for the unit"
        properties.append("    normal: \(YAMLText.range(defaults.normal))\(tune)")
        if let normalWhile { properties.append("    normal_while: [\(normalWhile.split(separator: ",").joined(separator: ", "))]") }
        properties.append("    limits: \(YAMLText.range(defaults.limits))")
        properties.append("    decimals: \(defaults.decimals)")
        properties.append("    " + YAMLText.comment("signal: \(defaults.why)"))
        properties.append("    signal: \(defaults.signal)")
    }

    /// The value of `key` in a `twinhub:` note, if it is one `valid` accepts; one it does not is a warning and left out.
    private mutating func checked(_ note: [String: String], _ key: String, at location: DTDLLocation, _ valid: (String) -> Bool) -> String? {
        guard let value = note[key] else { return nil }
        guard valid(value) else {
            warn("the twinhub: note's \(key) '\(value)' is not valid here: ignored", at: location)
            return nil
        }
        return value
    }

    private func origin(_ content: DTDLContent, _ what: String) -> String { "\(content.kind.className), \(what)" }

    private mutating func skip(_ what: String, at location: DTDLLocation) {
        notCarried.append(what)
        warn("not imported: \(what)", at: location)
    }

    /// The TwinHub symbol of a DTDL unit: its own, the nearest (with a warning), or none (with a warning).
    private mutating func symbol(for unit: String?, name: String, at location: DTDLLocation) -> String {
        guard let unit else { return "" }
        if let symbol = DTDLUnits.symbolByUnit[unit] { return symbol }
        if let nearest = DTDLUnits.nearestSymbol[unit] {
            warn("'\(name)': TwinHub has no symbol for '\(unit)'; it gets the nearest, '\(nearest)' (values are not converted)", at: location)
            return nearest
        }
        warn("'\(name)': TwinHub has no symbol for '\(unit)'; the property is kept without a unit", at: location)
        return ""
    }

    static func command(_ name: String) -> MachineCommand? {
        let key = String(name.lowercased().unicodeScalars.filter { $0 != "_" })
        switch key {
        case "start", "resume", "run", "execute": return .start
        case "stop", "halt": return .stop
        case "hold", "pause", "suspend": return .hold
        case "reset", "acknowledge": return .reset
        case "injectfault": return .injectFault
        case "clearfault": return .clearFault
        case "setspeed", "setspeedfactor", "setoverride": return .setSpeed
        default: return nil
        }
    }

    // MARK: States and commands

    private mutating func stateLines() -> [String] {
        guard let source = stateSource else {
            return ["# states: the model has no Enum of machine states (running, idle, stopped, …): TwinHub's default states and transitions."]
        }
        var lines: [String] = []
        let states = Set(source.mapped.compactMap(\.state))
        for (value, state) in source.mapped where state == nil {
            warn("the state Enum '\(source.content.name)' has a value '\(value.name)' that names no TwinHub state: left out", at: source.content.location)
        }
        var transitions: [MachineState: Set<MachineState>] = [:]
        let fromNote = source.mapped.contains { TwinHubNote.parse($0.value.comment)["transitions"] != nil }
        for (value, state) in source.mapped where fromNote {
            guard let state, let targets = TwinHubNote.parse(value.comment)["transitions"] else { continue }
            transitions[state, default: []].formUnion(targets.split(separator: " ").compactMap { MachineState(rawValue: String($0)).flatMap { states.contains($0) ? $0 : nil } })
        }
        if !fromNote {
            transitions = [:]
            for state in states {
                transitions[state] = (StateModel.default.transitions[state] ?? []).intersection(states)
            }
        }
        let note = TwinHubNote.parse(source.comment)
        let initial = note["initial"].flatMap(MachineState.init(rawValue:)).flatMap { states.contains($0) ? $0 : nil }
            ?? (states.contains(.idle) ? .idle : MachineState.allCases.first { states.contains($0) } ?? .idle)
        let model = StateModel(initial: initial, transitions: transitions)
        if !model.reaches(.running, from: initial) { transitions[initial, default: []].insert(.running) }
        let names = source.mapped.map { "\($0.value.name) → \($0.state?.rawValue ?? "left out")" }.joined(separator: ", ")
        lines.append(YAMLText.comment("states: from the Enum '\(source.content.name)' (\(source.content.location.path)): \(names)"))
        if !fromNote { lines.append("# transitions: TwinHub's defaults between these states; tune them.") }
        lines.append("states:")
        lines.append("  initial: \(initial.rawValue)")
        lines.append("  transitions:")
        for state in MachineState.allCases {
            guard let targets = transitions[state] else { continue }
            let ordered = MachineState.allCases.filter { targets.contains($0) }.map(\.rawValue)
            lines.append("    \(state.rawValue): [\(ordered.joined(separator: ", "))]")
        }
        return lines
    }

    private func commandLines() -> [String] {
        let accepted = Set(commands.map(\.0))
        var lines = commands.isEmpty
            ? ["# commands: the model has no Command TwinHub knows; the machine accepts none (add start, stop, … to control it)."]
            : [YAMLText.comment("commands: from the model's \(commands.map(\.1).joined(separator: ", "))")]
        lines.append("commands: [\(MachineCommand.allCases.filter { accepted.contains($0) }.map(\.rawValue).joined(separator: ", "))]")
        return lines
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
    var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
