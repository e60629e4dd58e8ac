import Foundation

/// Checks kind and scenario files together, as `twinhub validate` does: every error, with its position.
public enum ModelValidator {
    /// What a validation found.
    public struct Report: Sendable {
        public var errors: [ModelError] = []
        public var kinds: [String: MachineKind] = [:]
        public var scenarios: [Scenario] = []
        public var machines: Int { scenarios.reduce(0) { $0 + $1.machines.count } }
    }

    /// Validates files and folders. Kinds found among `paths` are used for the scenarios; when a scenario
    /// names a kind not among them, the `twins/` folder beside the scenario's folder is read too.
    public static func validate(paths: [String]) -> Report {
        var report = Report()
        var kindFiles: [String] = []
        var scenarioFiles: [String] = []
        for path in paths {
            let files = YAMLFiles.list(in: path)
            if files.isEmpty {
                report.errors.append(ModelError("no such file, or no .yaml files in this folder", at: SourceLocation(file: path, line: 1, column: 1)))
            }
            for file in files {
                switch classify(file) {
                case .kind: kindFiles.append(file)
                case .scenario: scenarioFiles.append(file)
                case .unknown:
                    report.errors.append(ModelError("neither a machine kind ('kind:') nor a scenario ('scenario:')", at: SourceLocation(file: file, line: 1, column: 1)))
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
            var kinds = report.kinds
            let sibling = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("../twins")
            if let extra = try? KindLoader.loadDirectory(sibling) {
                kinds.merge(extra) { mine, _ in mine }
            }
            do {
                report.scenarios.append(try ScenarioLoader.load(file: file, kinds: kinds))
            } catch {
                report.errors += error.errors
            }
        }
        return report
    }

    enum FileKind { case kind, scenario, unknown }

    /// Tells a kind from a scenario by its top-level key.
    static func classify(_ file: String) -> FileKind {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return .unknown }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("kind:") { return .kind }
            if line.hasPrefix("scenario:") { return .scenario }
        }
        return .unknown
    }
}
