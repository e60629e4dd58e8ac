import Foundation
import RuleLanguage

/// Finds the scenario a command names: a file, or a name among the scenarios of a local folder and those built into
/// TwinHub. A name is a scenario's `scenario:` id (`sheet_metal_job_shop`) or its file name with or without
/// `.yaml` (`sheet-metal-job-shop`).
public enum ScenarioCatalog {
    /// A scenario the catalog offers.
    public struct Entry: Sendable, Equatable {
        /// Its `scenario:` id, or its file name when it has none readable.
        public var name: String
        /// Its file: on disk, or built in (``YAMLFiles/builtInPrefix``).
        public var file: String
    }

    /// The scenarios of `folder` (when it exists), then the built-in ones whose names the folder does not use.
    public static func entries(folder: String = "simulations") -> [Entry] {
        var entries = YAMLFiles.list(in: folder).map(entry)
        let local = Set(entries.map(\.name))
        entries += YAMLFiles.builtIn(in: "simulations").map(entry).filter { !local.contains($0.name) }
        return entries
    }

    /// The file `argument` designates.
    /// - Throws: ``UnknownScenario`` saying what was looked for, the closest name and every known one.
    public static func resolve(_ argument: String, folder: String = "simulations") throws(UnknownScenario) -> String {
        if FileManager.default.fileExists(atPath: argument) { return argument }
        let entries = entries(folder: folder)
        let wanted = baseName(argument)
        if let match = entries.first(where: { $0.name == wanted || baseName($0.file) == wanted }) { return match.file }
        let names = entries.map(\.name)
        throw UnknownScenario(description: "no scenario '\(argument)': not a file, nor a scenario's name"
                              + "\(Spelling.hint(for: wanted, in: names)) (known: \(names.joined(separator: ", ")))")
    }

    /// A name that is neither a file nor a known scenario.
    public struct UnknownScenario: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private static func entry(_ file: String) -> Entry {
        let text = (try? YAMLFiles.text(of: file)) ?? ""
        let id = text.split(separator: "\n").first { $0.hasPrefix("scenario:") }
            .map { $0.dropFirst("scenario:".count).trimmingCharacters(in: .whitespaces) }
        return Entry(name: id.flatMap { $0.isEmpty ? nil : $0 } ?? baseName(file), file: file)
    }

    /// `sheet-metal-job-shop.yaml` and `sheet_metal_job_shop` alike: `sheet_metal_job_shop`.
    private static func baseName(_ text: String) -> String {
        var name = (text as NSString).lastPathComponent
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return name.replacingOccurrences(of: "-", with: "_")
    }
}
