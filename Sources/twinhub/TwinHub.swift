import ArgumentParser

/// `twinhub`: the MQTT event hub and digital-twin simulator for Industry 4.0.
@main
struct TwinHub: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "twinhub",
        abstract: "MQTT event hub and digital-twin simulator for Industry 4.0.",
        discussion: """
            Data flows one way: simulator → broker → twin service → rules → broker → console.
            demo runs them all on a private broker; sim runs virtual machines, serve keeps their twins and alerts, console shows them live;
            validate checks kinds, scenarios and rules; pub and sub are MQTT utilities.
            """,
        version: version,
        subcommands: [DemoCommand.self, SimCommand.self, ServeCommand.self, ConsoleCommand.self, ValidateCommand.self, PubCommand.self, SubCommand.self, BenchCommand.self]
    )
}
