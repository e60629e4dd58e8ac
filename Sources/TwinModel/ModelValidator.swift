import Foundation

/// Checks kind and scenario files together, as `twinhub validate` does: every error, with its position.
public enum ModelValidator {
    /// What a validation found.
    public struct Report: Sendable {
        public var errors: [ModelError] = []
        public var kinds: [String: MachineKind] = [:]
        public var scenarios: [Scenario] = []
        public var ruleSets: [RuleSet] = []
        public var machines: Int { scenarios.reduce(0) { $0 + $1.machines.count } }
    }

    /// Validates files and folders. Kinds found among `paths` are used for the scenarios; when a scenario
    /// names a kind not among them, the `twins/` folder beside the scenario's folder is read too.
    public static func validate(paths: [String]) -> Report {
        var report = Report()
        var kindFiles: [String] = []
        var scenarioFiles: [String] = []
        var ruleFiles: [String] = []
        for path in paths {
            let files = YAMLFiles.list(in: path)
            if files.isEmpty {
                report.errors.append(ModelError("no such file, or no .yaml files in this folder", at: SourceLocation(file: path, line: 1, column: 1)))
            }
            for file in files {
                switch classify(file) {
                case .kind: kindFiles.append(file)
                case .scenario: scenarioFiles.append(file)
                case .ruleSet: ruleFiles.append(file)
                case .unknown:
                    report.errors.append(ModelError("neither a machine kind ('kind:'), a scenario ('scenario:') nor a rules file ('ruleset:')", at: SourceLocation(file: file, line: 1, column: 1)))
                }
            }
        }
        for file in kindFiles {
            do {
                let kind = try KindLoader.load(file: file)
                if let existing = report.kinds[kind.id] {
                    report.errors.append(ModelError("kind '\(kind.id)' is already defined at \(existing.location)", at: kind.location))
                }
                report.kinds[kind.id] = kind
            } catch {
                report.errors += error.errors
            }
        }
        for file in scenarioFiles {
            do {
                report.scenarios.append(try ScenarioLoader.load(file: file, kinds: kinds(for: file, report.kinds)))
            } catch {
                report.errors += error.errors
            }
        }
        for file in ruleFiles {
            do {
                report.ruleSets.append(try RuleSetLoader.load(file: file, kinds: kinds(for: file, report.kinds)))
            } catch {
                report.errors += error.errors
            }
        }
        return report
    }

    /// The kinds validated, plus those of the `twins/` folder beside the file's folder, plus the built-in ones.
    private static func kinds(for file: String, _ validated: [String: MachineKind]) -> [String: MachineKind] {
        var kinds = validated
        let sibling = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("../twins")
        for extra in [try? KindLoader.loadDirectory(sibling), try? KindLoader.loadBuiltIn()].compactMap({ $0 }) {
            kinds.merge(extra) { mine, _ in mine }
        }
        return kinds
    }

    enum FileKind { case kind, scenario, ruleSet, unknown }

    /// Tells a kind from a scenario by its top-level key.
    static func classify(_ file: String) -> FileKind {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return .unknown }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("kind:") { return .kind }
            if line.hasPrefix("scenario:") { return .scenario }
            if line.hasPrefix("ruleset:") { return .ruleSet }
        }
        return .unknown
    }
}
