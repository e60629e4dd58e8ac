import FleetView
import ArgumentParser
import Console
import ConsoleRuntime
import Foundation
import WebRuntime
import Logging
import Rules
import ServiceLifecycle
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

    @Option(help: ArgumentHelp("Where the web floor view and API listen (default: 127.0.0.1:8080, or a free port when 8080 is taken). Beyond loopback, writes need the token the demo prints.",
                               valueName: "host:port"))
    var web: String?

    @Flag(help: "No web floor view and API.")
    var noWeb = false

    @Option(help: "How much to log on standard error (with --no-console).")
    var logLevel: LogLevelArgument = .warning

    func run() async throws {
        let (kinds, scenario) = try runOptions.load(self.scenario)
        let topics = try runOptions.topics(for: scenario)
        try FileLimits.ensure(machines: scenario.machines.count)
        let interactive = !noConsole && Terminal.isInteractive
        let logger = interactive ? GlobalOptions.bootstrapSilentLogging() : GlobalOptions.bootstrapLogging(level: logLevel.level)
        if !noConsole && !interactive {
            Self.say("standard input or output is not a terminal (a pipe or a file): the plain alert stream instead of the console; "
                     + "run it on a terminal for the console, or give --no-console to choose the stream")
        }

        if try await runParts(kinds: kinds, scenario: scenario, topics: topics, interactive: interactive, logger: logger) {
            throw ExitCode.failure
        }
    }

    /// Starts the broker and the parts, runs them until the first ends or a signal comes, and stops them all in
    /// order; `true` when a part failed.
    ///
    /// The parts run in one `ServiceGroup`, which stops them in the reverse order of its list: the simulator first
    /// (its machines go offline cleanly through the broker), then the viewer, then the twin service (it writes its
    /// twins), and the broker last. The simulator starts once the service and the viewer are subscribed.
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
        let outcome = DemoOutcome()
        let fleet = FleetSimulator.Runner(try FleetSimulator(
            scenario: scenario, options: runOptions.fleetOptions(try Self.connection(url), topics: topics, scenario: scenario), logger: logger))
        // On a terminal the console has the screen by then: say it before.
        let simulator = DemoStartGate(fleet, waitingFor: 2, opened: { if !interactive { Self.say(introduction) } })
        let service = TwinService.Runner(try makeTwinService(kinds: kinds, scenario: scenario, topics: topics, url: url, workspace: workspace, logger: logger),
                                         ready: simulator.ready)
        let webServer = noWeb ? nil : try makeWebServer(kinds: kinds, scenario: scenario, topics: topics, url: url, workspace: workspace, logger: logger)
        if interactive { Self.say(introduction) }
        let terminal = interactive ? try Terminal() : nil
        defer { terminal?.restore() }
        let viewer = try makeViewer(kinds: kinds, topics: topics, url: url, terminal: terminal, logger: logger, ready: simulator.ready)

        func part(_ service: any Service, _ name: String, returned: DemoEnding,
                  failed: @escaping @Sendable (any Error) -> DemoEnding) -> ServiceGroupConfiguration.ServiceConfiguration {
            CommandLifecycle.part(DemoPart(part: service, outcome: outcome, returned: returned, failed: failed), named: name)
        }
        var parts = privateBroker.map { [part($0, "broker", returned: .failed("the broker stopped"), failed: { .brokerEnded("\($0)") })] } ?? []
        parts += [
            part(service, "twin service", returned: .failed("the twin service stopped"), failed: { .failed("the twin service failed: \($0)") }),
            part(viewer, "viewer", returned: .quit, failed: { .failed("the console failed: \($0)") }),
        ]
        if let webServer {
            parts.append(part(webServer, "web server", returned: .failed("the web server stopped"), failed: { .failed("the web server failed: \($0)") }))
        }
        parts += [
            part(simulator, "simulator", returned: .finished, failed: { .failed("the simulator failed: \($0)") }),
        ]
        // The reasons are in the outcome: a failure's error was recorded by its part.
        try? await CommandLifecycle.run(parts, logger: logger)
        terminal?.restore()
        let ending = outcome.ending
        if let summary = fleet.summary { Self.say(StatusLine.summary(summary)) }
        Self.say("\(ending.description); " + (privateBroker == nil ? "everything it started is stopped" : "everything it started is stopped, the broker last"))
        return ending.isFailure
    }

    private func makeTwinService(kinds: [String: MachineKind], scenario: Scenario, topics: TopicMap, url: String,
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

    /// The web floor view and API: on `--web`, else 127.0.0.1:8080, else a free loopback port. Beyond loopback a
    /// token is made for writes, kept in the demo's folder, and printed.
    private func makeWebServer(kinds: [String: MachineKind], scenario: Scenario, topics: TopicMap, url: String, workspace: DemoWorkspace,
                               logger: Logger) throws -> WebServer.Runner {
        var connection = try Self.connection(url)
        connection.clientID = "twinhub-demo-web-\(getpid())"
        var options = WebOptions(connection: connection, topics: topics, kinds: kinds.mapValues(\.interface))
        options.scenario = scenario
        if let web {
            (options.host, options.port) = try WebCommand.address(web)
            // Port 0: a free one, chosen here so that the URL can be said before the console takes the screen.
            if options.port == 0 { options.port = try FreePort.pick() }
        } else {
            options.port = FreePort.acceptsConnections(port: 8080) ? try FreePort.pick() : 8080
        }
        var tokenNote = ""
        if !WebOptions.isLoopback(options.host) {
            let token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try Data((token + "\n").utf8).write(to: workspace.directory.appendingPathComponent("web-token"), options: .atomic)
            options.token = token
            tokenNote = "; acknowledgements and commands need the token \(token) (Authorization: Bearer)"
        }
        let server: WebServer
        do {
            server = try WebServer(options: options, logger: logger)
        } catch let error as WebConfigurationError {
            throw ValidationError(error.description)
        }
        let shown = options.host == "0.0.0.0" ? "127.0.0.1" : (options.host.contains(":") ? "[\(options.host)]" : options.host)
        Self.say("floor view and API at http://\(shown):\(options.port)/\(tokenNote)")
        return WebServer.Runner(server)
    }

    /// The console on `terminal`, or the plain alert stream without one.
    private func makeViewer(kinds: [String: MachineKind], topics: TopicMap, url: String, terminal: Terminal?, logger: Logger,
                            ready: @escaping @Sendable () -> Void) throws -> any Service {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "trainer"
        let options = ConsoleOptions(connection: try Self.connection(url), topics: topics, user: user, faults: FaultChoice.menus(for: kinds.mapValues(\.interface)))
        guard let terminal else {
            return AlertStream.Runner(options: options, format: .plain, logger: logger, output: { Output.line($0) }, notice: { Self.say($0) },
                                      ready: ready)
        }
        let colors = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        return InteractiveConsole.Runner(options: options, terminal: terminal, colors: colors, logger: logger, ready: ready)
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
