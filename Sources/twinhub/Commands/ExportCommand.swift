import ArgumentParser
import DTDL
import Foundation
import TwinModel

/// `twinhub export`: machine kinds as other tools' models.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write machine kinds as other tools' models (DTDL).",
        subcommands: [ExportDTDLCommand.self]
    )
}

/// `twinhub export dtdl`: kinds to DTDL v3 Interfaces.
struct ExportDTDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtdl",
        abstract: "Write machine kinds as DTDL v3 Interfaces (one .json file each).",
        discussion: """
            Examples:
              twinhub export dtdl --out dtdl                       # every kind, built in and in ./twins
              twinhub export dtdl cnc_machining_centre press_brake --out models
            Each property becomes a Telemetry (with its semantic type and unit where DTDL has the unit), the
            state an Enum Property, each accepted command a Command; ranges and transitions travel in comments
            beginning 'twinhub:', so that twinhub import dtdl gives the same kind back. Rules and the simulation
            profile are not exported. See docs/dtdl.md.
            """
    )

    @Argument(help: ArgumentHelp("Kinds to export (default: all).", valueName: "kind"))
    var kinds: [String] = []

    @Option(name: .long, help: ArgumentHelp("Folder to write the .json files to (created if missing).", valueName: "dir"))
    var out = "dtdl"

    @Option(name: .long, help: ModelFiles.twinsHelp)
    var twins: String?

    func run() throws {
        let available = try ModelFiles.kinds(overriddenBy: twins)
        var chosen: [MachineKind] = []
        for id in kinds.isEmpty ? available.keys.sorted() : kinds {
            guard let kind = available[id] else {
                throw ConfigurationError("no kind '\(id)' (known: \(available.keys.sorted().joined(separator: ", ")))")
            }
            chosen.append(kind)
        }
        try DTDLReport.makeFolder(out)
        var written: [String] = []
        for kind in chosen {
            let path = (out as NSString).appendingPathComponent(String(kind.id.map { $0 == "_" ? "-" : $0 }) + ".json")
            let json: String
            do throws(DTDLError) {
                json = try KindExporter.export(kind.interface)
            } catch {
                throw DTDLReport.configurationError(error.errors)
            }
            let check = DTDLModel.read(documents: [(path, json)])
            if check.hasErrors { throw DTDLReport.configurationError(check.diagnostics.filter { $0.severity == .error }) }
            try DTDLReport.write(json, to: path)
            written.append("\(kind.id) (\(path))")
        }
        Output.line("exported \(chosen.count) kind\(chosen.count == 1 ? "" : "s") as DTDL v3: " + written.joined(separator: ", "))
    }
}
