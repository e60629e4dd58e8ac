import ArgumentParser
import Foundation
import TwinModel

/// Loads the machine kinds and scenarios commands name, with errors worded for the command line.
enum ModelFiles {
    /// The help of every command's `--twins`.
    static let twinsHelp = ArgumentHelp(
        "Folder of machine kinds that add to the built-in ones, or take the place of those with the same id (default: ./twins when it exists).",
        valueName: "dir")

    /// The built-in kinds, with those of `folder` (`--twins`) added or taking their place; without `--twins`, those
    /// of `./twins` when it exists.
    /// - Throws: `ValidationError` for a `--twins` that is not a folder; ``ConfigurationError`` listing every problem at
    ///   `file:line:column`.
    static func kinds(overriddenBy folder: String?) throws -> [String: MachineKind] {
        let local = folder ?? (isFolder("twins") ? "twins" : nil)
        if let folder, !isFolder(folder) { throw ValidationError("--twins '\(folder)' is not a folder") }
        do throws(ModelErrors) {
            if let local { return try KindLoader.loadBuiltIn(overriddenBy: local) }
            return try KindLoader.loadBuiltIn()
        } catch {
            throw ConfigurationError("machine kinds\(local.map { " (built in, and in '\($0)')" } ?? ""):\n\(error.description)")
        }
    }

    /// The scenario a path or name designates (a file, or a name in ./simulations or built in), instantiating `kinds`.
    /// - Throws: ``ConfigurationError`` when it cannot be found, or listing every problem at `file:line:column`.
    static func scenario(_ argument: String, kinds: [String: MachineKind]) throws -> Scenario {
        let file: String
        do {
            file = try ScenarioCatalog.resolve(argument)
        } catch {
            throw ConfigurationError(error.description)
        }
        do {
            return try ScenarioLoader.load(file: file, kinds: kinds)
        } catch {
            throw ConfigurationError("scenario '\(argument)':\n\(error.description)")
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
