import TwinModel

/// Writes TwinHub machine kinds as DTDL v3 Interfaces: each property a Telemetry (co-typed with its semantic type and
/// unit where QuantitativeTypes has the unit), the state an Enum Property, each accepted command a Command. What DTDL
/// has no place for but an import needs to give the kind back (ranges, decimals, symbols without a DTDL unit,
/// transitions, the cycle time) goes into `comment`s that begin `twinhub:`. Rules, signals, faults' effects and
/// reliability are not carried: they are TwinHub's, not the machine's interface.
public enum KindExporter {
    /// The DTMI of a kind: `dtmi:twinhub:kind:<id>;1`, with `-` made `_`.
    public static func dtmi(for kind: MachineInterface) -> String {
        var segment = String(kind.id.map { $0 == "-" ? "_" : $0 })
        if let first = segment.unicodeScalars.first, !DTDLName.isLetter(first) { segment = "k" + segment }
        while segment.hasSuffix("_") { segment.removeLast() }
        return "dtmi:twinhub:kind:\(segment);1"
    }

    /// The name of the Enum Property that carries the state.
    public static let stateProperty = "state"

    /// The DTDL v3 JSON of `kind`.
    /// - Throws: ``DTDLError`` when a property's name is not a DTDL name, or is the state property's.
    public static func export(_ kind: MachineInterface) throws(DTDLError) -> String {
        var diagnostics: [DTDLDiagnostic] = []
        let at = DTDLLocation(file: kind.id, path: "", line: 1, column: 1)
        var contents: [JSONText] = []
        for property in kind.properties {
            if let problem = DTDLName.problem(with: property.name, version: 3) {
                diagnostics.append(DTDLDiagnostic(.error, "property '\(property.name)' cannot be exported: \(problem)", at: at))
                continue
            }
            if property.name == stateProperty {
                diagnostics.append(DTDLDiagnostic(.error, "property '\(property.name)' cannot be exported: the state is exported under this name", at: at))
                continue
            }
            contents.append(telemetry(property))
        }
        contents.append(state(kind.states))
        for command in MachineCommand.allCases where kind.commands.contains(command) {
            contents.append(self.command(command, faults: kind.faults))
        }
        if !diagnostics.isEmpty { throw DTDLError(diagnostics) }
        var note: [(String, String)] = [("kind", kind.id), ("sample_interval", duration(kind.sampleInterval))]
        note.append(("ideal_cycle_time", duration(kind.production.idealCycleTime)))
        if kind.production.partsPerCycle != 1 { note.append(("parts_per_cycle", "\(kind.production.partsPerCycle)")) }
        var members: [(String, JSONText)] = [
            ("@context", .array([.string("dtmi:dtdl:context;3"), .string("dtmi:dtdl:extension:quantitativeTypes;1")])),
            ("@id", .string(dtmi(for: kind))),
            ("@type", .string("Interface")),
            ("displayName", .string(String(kind.name.prefix(64)))),
        ]
        if !kind.description.isEmpty { members.append(("description", .string(String(kind.description.prefix(512))))) }
        members.append(("comment", .string(TwinHubNote.format(note))))
        members.append(("contents", .array(contents)))
        return JSONText.object(members).rendered() + "\n"
    }

    private static func telemetry(_ property: PropertySpec) -> JSONText {
        var note: [(String, String)] = []
        var members: [(String, JSONText)] = []
        let mapped = DTDLUnits.dtdlUnit(for: property.unit)
        if let mapped {
            members.append(("@type", .array([.string("Telemetry"), .string(mapped.semanticType)])))
        } else {
            members.append(("@type", .string("Telemetry")))
            note.append(("unit", property.unit))
        }
        members.append(("name", .string(property.name)))
        members.append(("schema", .string(property.type == .integer ? "long" : "double")))
        if let mapped { members.append(("unit", .string(mapped.unit))) }
        if property.type == .integer { note.append(("type", "integer")) }
        note.append(("normal", "\(YAMLText.number(property.normal.lowerBound))..\(YAMLText.number(property.normal.upperBound))"))
        note.append(("limits", "\(YAMLText.number(property.limits.lowerBound))..\(YAMLText.number(property.limits.upperBound))"))
        note.append(("decimals", "\(property.decimals)"))
        if let states = property.normalStates {
            note.append(("normal_while", MachineState.allCases.filter { states.contains($0) }.map(\.rawValue).joined(separator: ",")))
        }
        members.append(("comment", .string(TwinHubNote.format(note))))
        return .object(members)
    }

    private static func state(_ model: StateModel) -> JSONText {
        var states: Set<MachineState> = [model.initial]
        for (from, targets) in model.transitions {
            states.insert(from)
            states.formUnion(targets)
        }
        let values: [JSONText] = MachineState.allCases.filter { states.contains($0) }.map { state in
            let targets = MachineState.allCases.filter { model.transitions[state]?.contains($0) == true }.map(\.rawValue)
            var members: [(String, JSONText)] = [("name", .string(state.rawValue)), ("enumValue", .string(state.rawValue))]
            if model.transitions[state] != nil {
                members.append(("comment", .string(TwinHubNote.format([("transitions", targets.joined(separator: " "))]))))
            }
            return .object(members)
        }
        return .object([
            ("@type", .string("Property")),
            ("name", .string(stateProperty)),
            ("description", .string("The machine's operational state (TwinHub's PackML-inspired states).")),
            ("schema", .object([
                ("@type", .string("Enum")),
                ("valueSchema", .string("string")),
                ("comment", .string(TwinHubNote.format([("initial", model.initial.rawValue)]))),
                ("enumValues", .array(values)),
            ])),
        ])
    }

    private static func command(_ command: MachineCommand, faults: [FaultSpec]) -> JSONText {
        var members: [(String, JSONText)] = [("@type", .string("Command")), ("name", .string(command.rawValue))]
        switch command {
        case .injectFault, .clearFault:
            let schema: JSONText = faults.isEmpty ? .string("string") : .object([
                ("@type", .string("Enum")),
                ("valueSchema", .string("string")),
                ("enumValues", .array(faults.compactMap { fault in
                    DTDLName.problem(with: fault.name, version: 3) == nil
                        ? .object([("name", .string(fault.name)), ("enumValue", .string(fault.name))]) : nil
                })),
            ])
            members.append(("request", .object([("name", .string("fault")), ("schema", schema)])))
        case .setSpeed:
            members.append(("request", .object([
                ("name", .string("value")),
                ("description", .string("The speed factor, 0.1 to 1.5.")),
                ("schema", .string("double")),
            ])))
        default:
            break
        }
        return .object(members)
    }

    /// A duration as TwinHub writes it in YAML: `4m`, `1s`, `250ms`, `1h30m`.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var rest = seconds
        var text = ""
        for (unit, size) in [("h", Int64(3600)), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text.isEmpty ? "0s" : text
    }
}
