import TwinModel

/// Makes TwinHub machine kinds from DTDL Interfaces: numeric Telemetry and Properties become properties with their
/// unit's symbol, an Enum of machine states becomes the kind's states, Commands TwinHub knows become accepted commands,
/// and each property gets ranges and a signal to start from, with the reason in a comment. Everything not carried is
/// named in a warning and in a comment of the YAML.
public enum KindImporter {
    /// One kind per Interface of `model` that is not only a Component of another (Components are folded into the
    /// Interfaces that hold them), in model order. Interfaces with no numeric content give no kind and a warning.
    public static func importKinds(_ model: DTDLModel) -> (kinds: [ImportedKind], warnings: [DTDLDiagnostic]) {
        var componentOnly: Set<String> = []
        for interface in model.interfaces {
            for content in interface.contents {
                if case .component(let target) = content.kind { componentOnly.insert(target) }
            }
        }
        var kinds: [ImportedKind] = []
        var warnings: [DTDLDiagnostic] = []
        var ids: Set<String> = []
        for interface in model.interfaces where !componentOnly.contains(interface.id) {
            var builder = KindBuilder(interface: interface, model: model)
            guard let kind = builder.build(avoiding: ids) else {
                warnings += builder.warnings
                continue
            }
            ids.insert(kind.id)
            kinds.append(kind)
        }
        return (kinds, warnings)
    }

    /// The kind id for a DTMI: its last segment in snake case (`CncMachine` → `cnc_machine`).
    public static func kindID(for dtmi: String) -> String {
        var id = ""
        var previousWasLower = false
        for character in DTMI.lastSegment(of: dtmi).drop(while: { $0 == "_" }) {
            if character.isUppercase {
                if previousWasLower { id += "_" }
                id += character.lowercased()
                previousWasLower = false
            } else {
                id.append(character)
                previousWasLower = character.isLowercase || character.isNumber
            }
        }
        return id.isEmpty ? "imported" : id
    }

    /// Words for a DTMI's last segment (`CncMachine` → `Cnc machine`).
    static func words(for dtmi: String) -> String {
        let words = kindID(for: dtmi).split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
