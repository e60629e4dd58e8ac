import RuleLanguage
import Foundation

/// A rules file: overrides of the kinds' rules for chosen machines.
///
/// ```yaml
/// ruleset: plant-a
/// overrides:
///   - kind: cnc_machining_centre
///     line: cell-1            # optional: site, area, line, machine (exact names)
///     rules:
///       - { id: spindle_hot, enabled: false }
///       - id: spindle_hot_strict
///         threshold: { property: spindle_temperature, above: 60 }
/// ```
public struct RuleSet: Sendable {
    public var id: String
    public var overrides: [RuleOverride]
    public var location: SourceLocation
}

/// Reads rules files, checked against the kinds.
public enum RuleSetLoader {
    public static func load(file path: String, kinds: [String: MachineKind]) throws(ModelErrors) -> RuleSet {
        let text = try YAMLFiles.read(path)
        return try load(yaml: text, file: path, kinds: kinds)
    }

    public static func load(yaml text: String, file: String, kinds: [String: MachineKind]) throws(ModelErrors) -> RuleSet {
        let diagnostics = DiagnosticCollector()
        let set = diagnostics.collect { () throws -> RuleSet in
            let root = try YAMLNode.parse(text, file: file)
            let map = try root.mapping("a rules file")
            try map.checkKeys(["ruleset", "name", "description", "overrides"])
            let id = try map.required("ruleset").identifier("ruleset")
            var overrides: [RuleOverride] = []
            for item in try map.required("overrides").sequence("overrides") {
                if let override = diagnostics.collect({ try parseOverride(item, kinds: kinds, diagnostics: diagnostics) }) {
                    overrides.append(override)
                }
            }
            return RuleSet(id: id, overrides: overrides, location: root.location)
        }
        try diagnostics.throwIfAny()
        return set!
    }

    private static func parseOverride(_ node: YAMLNode, kinds: [String: MachineKind], diagnostics: DiagnosticCollector) throws(ModelError) -> RuleOverride {
        let map = try node.mapping("an override")
        try map.checkKeys(["kind", "site", "area", "line", "machine", "rules"])
        let kindNode = try map.required("kind")
        let kindID = try kindNode.string("kind")
        guard let kind = kinds[kindID] else {
            throw kindNode.error("unknown kind '\(kindID)'\(Spelling.hint(for: kindID, in: Array(kinds.keys)))")
        }
        let entries = RuleParser.parseOverrides(try map.required("rules"), kind: kind, diagnostics: diagnostics)
        return RuleOverride(kind: kindID, site: try map.optional("site")?.identifier("site"), area: try map.optional("area")?.identifier("area"),
                            line: try map.optional("line")?.identifier("line"), machine: try map.optional("machine")?.identifier("machine"),
                            entries: entries, location: node.location)
    }

    /// Loads every rules file given (files or folders), errors of all files together.
    public static func load(paths: [String], kinds: [String: MachineKind]) throws(ModelErrors) -> [RuleSet] {
        var sets: [RuleSet] = []
        var errors: [ModelError] = []
        for path in paths {
            let files = YAMLFiles.list(in: path)
            if files.isEmpty { errors.append(ModelError("no such file, or no .yaml files in this folder", at: SourceLocation(file: path, line: 1, column: 1))) }
            for file in files {
                do {
                    sets.append(try load(file: file, kinds: kinds))
                } catch {
                    errors += error.errors
                }
            }
        }
        if !errors.isEmpty { throw ModelErrors(errors) }
        return sets
    }
}
