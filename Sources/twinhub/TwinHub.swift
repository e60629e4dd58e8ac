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
            This build has the MQTT utilities; the simulator, twin service, console and demo follow.
            """,
        version: version,
        subcommands: [SimCommand.self, ServeCommand.self, ValidateCommand.self, PubCommand.self, SubCommand.self]
    )
}
