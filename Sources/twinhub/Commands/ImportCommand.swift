import ArgumentParser
import DTDL
import Foundation
import TwinModel

/// `twinhub import`: machine kinds from other tools' models.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make machine kinds from other tools' models (DTDL).",
        subcommands: [ImportDTDLCommand.self]
    )
}

/// `twinhub import dtdl`: DTDL v2 and v3 Interfaces to kind files.
struct ImportDTDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtdl",
        abstract: "Make a machine kind (twins/*.yaml) of each DTDL v2 or v3 Interface.",
        discussion: """
            Examples:
              twinhub import dtdl models/ --out twins
              twinhub import dtdl cnc.json spindle.json
            Reads every .json file given (folders recursively), validates the Interfaces by the DTDL
            specification's rules, and writes one kind per Interface (Components fold into the Interfaces
            that hold them). Numeric Telemetry and Properties become properties with their unit's symbol,
            an Enum of machine states becomes the states, known Commands the commands; ranges and signals
            are starting points, each explained in a comment. What is not carried is a warning on stderr.
            A kind file that exists is not written over without --force.
            Errors are printed as FILE:LINE:COLUMN: /json/path: reason, with exit status 64. See docs/dtdl.md.
            """
    )

    @Argument(help: ArgumentHelp("DTDL files (.json) or folders of them.", valueName: "file-or-dir"))
    var paths: [String]

    @Option(name: .long, help: ArgumentHelp("Folder to write the kind files to (created if missing).", valueName: "dir"))
    var out = "twins"

    @Flag(name: .long, help: "Write over kind files that exist (they may have been tuned by hand).")
    var force = false

    func run() throws {
        let model: DTDLModel
        do {
            model = try DTDLModel.read(paths: paths)
        } catch {
            throw DTDLReport.configurationError(error.errors)
        }
        DTDLReport.warn(model.diagnostics.filter { $0.severity == .warning })
        if model.hasErrors { throw DTDLReport.configurationError(model.diagnostics.filter { $0.severity == .error }) }
        let (kinds, skipped) = KindImporter.importKinds(model)
        let warnings = DTDLReport.warn(skipped + kinds.flatMap(\.warnings))
        guard !kinds.isEmpty else { throw ConfigurationError("no Interface of \(paths.joined(separator: " ")) has numeric contents: no kind written") }
        if !force {
            let existing = kinds.map { (out as NSString).appendingPathComponent($0.fileName) }.filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                throw ConfigurationError("\(existing.joined(separator: ", ")) exist\(existing.count == 1 ? "s" : ""), perhaps tuned by hand; --force writes over them")
            }
        }
        try DTDLReport.makeFolder(out)
        var written: [String] = []
        for kind in kinds {
            let path = (out as NSString).appendingPathComponent(kind.fileName)
            do throws(ModelErrors) {
                _ = try KindLoader.load(yaml: kind.yaml, file: path)
            } catch {
                throw ConfigurationError("the kind made of \(kind.interface) does not load (please report it):\n\(error.description)")
            }
            try DTDLReport.write(kind.yaml, to: path)
            written.append("\(kind.id) (\(path))")
        }
        Output.line("imported \(kinds.count) kind\(kinds.count == 1 ? "" : "s") from \(model.interfaces.count) DTDL interface\(model.interfaces.count == 1 ? "" : "s"): "
                    + written.joined(separator: ", ") + (warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s") on stderr" : ""))
    }
}
