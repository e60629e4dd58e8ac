import ArgumentParser
import Console
import ConsoleRuntime
import Foundation
import Logging
import Rules
import SimulationRuntime
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import TwinService
import TwinHubProtocol
import TwinStorageSQLite

/// `twinhub demo`: the whole factory from one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole factory: a private broker, the simulator, the twin service with its rules, and the console.",
        discussion: """
            Starts mosquitto on a free loopback port (its files and the twin database in a folder of this demo's own,
            removed at the end), the twin service with every rule of the kinds, the simulator on the scenario, and the
            console in the foreground. The default scenario, factory_demo, is written to be watched: within two
            minutes a spindle overheats and cools down, a bearing's predicted failure escalates, a robot cell drops
            off the network and comes back, and the line's OEE moves.

            q, Ctrl-C or SIGTERM stops everything it started, the broker last; so does any part failing, with the
            reason. Examples:
              twinhub demo
              twinhub demo --speed 120 --seed 7
              twinhub demo --no-console --duration 2h       # the alert stream on stdout, then exit
              twinhub demo --broker mqtt://localhost:1883   # an existing broker; none is started
            """
    )

    @Option(help: ArgumentHelp("Use this broker instead of starting a private one.", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("Scenario file or name.", valueName: "scenario"))
    var scenario = "factory_demo"

    @OptionGroup var runOptions: ScenarioRunOptions

    @Option(help: ArgumentHelp("Keep the twins in this SQLite database (default: one in the demo's folder, removed at the end).", valueName: "path"))
    var db: String?

    @Flag(help: "Print the alert stream (one line per alert event) instead of the full-screen console.")
    var noConsole = false

    @Flag(help: "No colours in the console (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: "How much to log on standard error (with --no-console).")
    var logLevel: LogLevelArgument = .warning

    func run() async throws {
        let (kinds, scenario) = try runOptions.load(self.scenario)
        let topics = try runOptions.topics(for: scenario)
        try FileLimits.ensure(machines: scenario.machines.count)
        let interactive = !noConsole && Terminal.isInteractive
        let logger = interactive ? GlobalOptions.bootstrapSilentLogging() : GlobalOptions.bootstrapLogging(level: logLevel.level)

        let failed = try await cancellingOnSignals {
            try await runParts(kinds: kinds, scenario: scenario, topics: topics, interactive: interactive, logger: logger)
        }
        if failed { throw ExitCode.failure }
    }

    /// Starts the broker and the parts, runs them until the first ends, and stops them all; `true` when a part failed.
    private func runParts(kinds: [String: MachineKind], scenario: Scenario, topics: TopicMap, interactive: Bool,
                          logger: Logger) async throws -> Bool {
        let workspace = try DemoWorkspace.create()
        defer { workspace.remove() }
        var privateBroker: MosquittoBroker?
        if broker == nil {
            var configuration = MosquittoBroker.Configuration()
            configuration.stopsWithThisProcess = true
            configuration.parentDirectory = workspace.directory
            do {
                privateBroker = try await MosquittoBroker.start(configuration)
            } catch let error as BrokerError {
                Self.say("cannot start the private broker: \(error)")
                return true
            }
        }
        defer { privateBroker?.shutdown() }
        let url = broker ?? privateBroker!.url
        if let privateBroker {
            Self.say("private mosquitto at \(url) (pid \(privateBroker.processID.map(String.init) ?? "?")), files in \(workspace.directory.path)")
        } else {
            Self.say("using the broker at \(url)")
        }
        let speed = runOptions.speed(for: scenario)
        let introduction = "\(scenario.name): \(scenario.machines.count) machines at ×\(StatusLine.format(speed)) under \(topics.root)/, "
            + "twin service with \(RuleBook(kinds: kinds, overrides: scenario.ruleOverrides).ruleCount) rules; "
            + (interactive ? "q quits" : "Ctrl-C stops")
        let supervisor = DemoSupervisor(
            broker: privateBroker,
            service: try service(kinds: kinds, scenario: scenario, topics: topics, url: url, workspace: workspace, logger: logger),
            fleet: FleetSimulator(scenario: scenario, options: runOptions.fleetOptions(try Self.connection(url), topics: topics, scenario: scenario),
                                  logger: logger),
            viewer: try viewer(kinds: kinds, topics: topics, url: url, logger: logger),
            // On a terminal the console has the screen by then: say it before.
            started: { if !interactive { Self.say(introduction) } })
        if interactive { Self.say(introduction) }
        let (ending, summary) = await supervisor.run()
        if let summary { Self.say(StatusLine.summary(summary)) }
        Self.say("\(ending.description); " + (privateBroker == nil ? "everything it started is stopped" : "everything it started is stopped, the broker last"))
        if case .failed = ending { return true }
        return false
    }

    private func service(kinds: [String: MachineKind], scenario: Scenario, topics: TopicMap, url: String,
                         workspace: DemoWorkspace, logger: Logger) throws -> TwinService {
        var connection = try Self.connection(url)
        connection.clientID = "twinhub-demo-serve-\(getpid())"
        var options = TwinService.Options(connection: connection, topics: topics, kinds: kinds.mapValues(\.interface))
        let path = db ?? workspace.database
        do {
            options.storage = try SQLiteTwinStorage(path: path)
        } catch {
            throw ValidationError("cannot open the twin database '\(path)': \(error)")
        }
        options.rules = RuleBook(kinds: kinds, overrides: scenario.ruleOverrides)
        return TwinService(options: options, logger: logger)
    }

    /// The plain alert stream, or the console, which takes the terminal over until it ends.
    private func viewer(kinds: [String: MachineKind], topics: TopicMap, url: String,
                        logger: Logger) throws -> @Sendable (_ ready: @escaping @Sendable () -> Void) async throws -> Void {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "trainer"
        let options = ConsoleOptions(connection: try Self.connection(url), topics: topics, user: user, faults: FaultChoice.menus(for: kinds.mapValues(\.interface)))
        guard !noConsole && Terminal.isInteractive else {
            return { ready in
                _ = try await AlertStream.run(options: options, format: .plain, logger: logger, output: { Output.line($0) },
                                              notice: { Self.say($0) }, ready: ready)
            }
        }
        let colors = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        return { ready in
            let terminal = try Terminal()
            defer { terminal.restore() }
            try await InteractiveConsole.run(options: options, terminal: terminal, colors: colors, logger: logger, ready: ready)
        }
    }

    private static func connection(_ url: String) throws -> ClientConfiguration {
        do {
            return try ClientConfiguration(url: url)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// A line on standard error, prefixed `twinhub demo:`.
    static func say(_ text: String) {
        FileHandle.standardError.write(Data("twinhub demo: \(text)\n".utf8))
    }
}
