import ArgumentParser
import CMalloc
import Foundation

/// Where the process starts: bounds the allocator before any thread runs, then parses the command line.
@main
enum Entry {
    static func main() async {
        // glibc gives threads arenas of their own (up to 8 a core), and memory freed by another thread than the one
        // that took it stays in its arena: the twin service's threads pass every message to each other.
        twinhub_limit_malloc_arenas(2)
        do {
            var command = try TwinHub.parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            exit(ConfigurationError.exitStatus)
        } catch {
            TwinHub.exit(withError: error)
        }
    }
}

/// `twinhub`: the MQTT event hub and digital-twin simulator for Industry 4.0.
struct TwinHub: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "twinhub",
        abstract: "MQTT event hub and digital-twin simulator for Industry 4.0.",
        discussion: """
            Data flows one way: simulator → broker → twin service → rules → broker → console.
            demo runs them all on a private broker; sim runs virtual machines, serve keeps their twins and alerts, console shows them live;
            validate checks kinds, scenarios and rules; import and export dtdl translate DTDL models; pub and sub are MQTT utilities.
            """,
        version: version,
        subcommands: [DemoCommand.self, SimCommand.self, ServeCommand.self, ConsoleCommand.self, WebCommand.self, ValidateCommand.self, ImportCommand.self, ExportCommand.self, PubCommand.self, SubCommand.self, RecordCommand.self, ReplayCommand.self, BenchCommand.self]
    )
}
