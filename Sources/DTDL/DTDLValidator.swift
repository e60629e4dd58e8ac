/// The rules that span Interfaces: every `extends` and Component names an Interface that was read, inheritance is at
/// most 10 levels deep and has no cycle, a Component's Interface has no Components, each `@id` is defined once, and
/// no name of contents repeats one inherited through `extends`.
public enum DTDLValidator {
    /// The deepest chain of `extends`.
    public static let maximumExtendsDepth = 10
    /// The most Interfaces in one Interface's hierarchy (DTDL v3).
    public static let maximumHierarchy = 1024

    /// Every problem across `interfaces`.
    public static func validate(_ interfaces: [DTDLInterface]) -> [DTDLDiagnostic] {
        var diagnostics: [DTDLDiagnostic] = []
        var byID: [String: DTDLInterface] = [:]
        for interface in interfaces {
            if let first = byID[interface.id] {
                diagnostics.append(DTDLDiagnostic(.error, "the Interface '\(interface.id)' is already defined at \(first.location)", at: interface.location))
            } else {
                byID[interface.id] = interface
            }
        }
        for interface in interfaces where byID[interface.id]?.location == interface.location {
            let where_ = interface.extendsLocation ?? interface.location
            for base in interface.extends where byID[base] == nil {
                diagnostics.append(DTDLDiagnostic(.error, "extends '\(base)', which is not among the models read (give its file too)", at: where_))
            }
            switch ancestry(of: interface.id, in: byID) {
            case .cycle(let path):
                diagnostics.append(DTDLDiagnostic(.error, "extends forms a cycle: \(path.joined(separator: " → "))", at: where_))
            case .tree(let depth, let count):
                if depth > maximumExtendsDepth {
                    diagnostics.append(DTDLDiagnostic(.error, "extends is \(depth) levels deep; DTDL allows \(maximumExtendsDepth)", at: where_))
                } else if count > maximumHierarchy {
                    diagnostics.append(DTDLDiagnostic(.error, "the hierarchy holds \(count) Interfaces; DTDL allows \(maximumHierarchy)", at: where_))
                } else {
                    diagnostics += inheritedNameClashes(interface, in: byID)
                }
            }
            for content in interface.contents {
                guard case .component(let target) = content.kind, !target.isEmpty else { continue }
                guard let component = byID[target] else {
                    diagnostics.append(DTDLDiagnostic(.error, "the Component '\(content.name)' is an instance of '\(target)', which is not among the models read (give its file too)", at: content.location))
                    continue
                }
                let nested = DTDLModel.contents(of: component, in: byID).filter { if case .component = $0.kind { true } else { false } }
                if let first = nested.first {
                    diagnostics.append(DTDLDiagnostic(.error, "the Component '\(content.name)' is an instance of '\(target)', which has a Component ('\(first.name)'); DTDL forbids nesting them", at: content.location))
                }
            }
        }
        return diagnostics
    }

    enum Ancestry {
        case tree(depth: Int, count: Int)
        case cycle([String])
    }

    /// How deep the `extends` of `id` go and how many Interfaces they hold, or the cycle they form.
    static func ancestry(of id: String, in byID: [String: DTDLInterface]) -> Ancestry {
        var seen: Set<String> = []
        // Depths already known: a hierarchy of diamonds is walked once per Interface, not once per path.
        var depths: [String: Int] = [:]
        func walk(_ current: String, path: [String]) -> Ancestry {
            if let start = path.firstIndex(of: current) { return .cycle(Array(path[start...]) + [current]) }
            if let known = depths[current] { return .tree(depth: known, count: 0) }
            seen.insert(current)
            var depth = 0
            for base in byID[current]?.extends ?? [] where byID[base] != nil {
                switch walk(base, path: path + [current]) {
                case .cycle(let cycle): return .cycle(cycle)
                case .tree(let inner, _): depth = max(depth, inner + 1)
                }
            }
            depths[current] = depth
            return .tree(depth: depth, count: seen.count)
        }
        switch walk(id, path: []) {
        case .cycle(let cycle): return .cycle(cycle)
        case .tree(let depth, _): return .tree(depth: depth, count: seen.count)
        }
    }

    /// Names of `interface`'s own contents that an Interface it extends already uses.
    private static func inheritedNameClashes(_ interface: DTDLInterface, in byID: [String: DTDLInterface]) -> [DTDLDiagnostic] {
        var inherited: [String: String] = [:]
        var diagnostics: [DTDLDiagnostic] = []
        for base in interface.extends {
            guard let baseInterface = byID[base] else { continue }
            for content in DTDLModel.contents(of: baseInterface, in: byID) {
                if let other = inherited[content.name], other != content.location.description {
                    diagnostics.append(DTDLDiagnostic(.error, "the name '\(content.name)' is inherited twice (\(other) and here)", at: content.location))
                }
                inherited[content.name] = content.location.description
            }
        }
        for content in interface.contents {
            if let other = inherited[content.name] {
                diagnostics.append(DTDLDiagnostic(.error, "the name '\(content.name)' is already used by a content inherited through extends (\(other))", at: content.location))
            }
        }
        return diagnostics
    }
}
