import ArgumentParser
import Foundation
import TwinModel

/// Loads the machine kinds and scenarios commands name, with errors worded for the command line.
enum ModelFiles {
    /// The kinds in `folder` (`--twins`).
    /// - Throws: `ValidationError` listing every problem at `file:line:column`.
    static func kinds(in folder: String) throws -> [String: MachineKind] {
        do {
            return try KindLoader.loadDirectory(folder)
        } catch {
            throw ValidationError("machine kinds in '\(folder)':\n\(error.description)")
        }
    }

    /// The scenario a path or name designates, instantiating `kinds`.
    /// - Throws: `ValidationError` when it cannot be found, or listing every problem at `file:line:column`.
    static func scenario(_ argument: String, kinds: [String: MachineKind], twins folder: String) throws -> Scenario {
        guard !kinds.isEmpty else { throw ValidationError("no machine kinds in '\(folder)' (use --twins DIR)") }
        let file = try ScenarioFiles.resolve(argument)
        do {
            return try ScenarioLoader.load(file: file, kinds: kinds)
        } catch {
            throw ValidationError("\n\(error.description)")
        }
    }
}
