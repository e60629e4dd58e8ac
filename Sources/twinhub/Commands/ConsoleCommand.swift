import FleetView
import ArgumentParser
import Console
import ConsoleRuntime
import Foundation
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// `twinhub console`: the live terminal view of alerts and the fleet.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Show alerts and the fleet live in the terminal, and act on them.",
        discussion: """
            Full screen on a terminal: alerts by severity and recency, the fleet by site, area and line with state
            and OEE, the selected machine's properties with sparklines, the selected alert's explanation. Keys:
            arrows or j/k move, Tab switches pane, Enter shows detail, a acknowledges, f injects a fault, c clears
            faults, s starts or stops, / filters, ? helps, q quits. Actions are MQTT commands; the screen changes
            when the twin does.

            Without a terminal, or with --plain, one line per alert event (time, severity, event, machine,
            message); --json prints each event as NDJSON. Alerts open at connection come first, as "open".
            Everything comes from MQTT: retained twins and alerts on connect, then QoS 1 events on a persistent
            session, so a short disconnect loses nothing. Examples:
              twinhub console --broker mqtt://localhost:1883 --root acme
              twinhub console --root acme --plain | tee alerts.log
              twinhub console --json | jq -c 'select(.alert.severity == "critical")'
            Without --root, the console looks for the one twin service on the broker, and waits for one to start
            when there is none yet (--wait-for-service limits the wait).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Topic root of the fleet (default: the one twin service found on the broker).", valueName: "root"))
    var root: String?

    @Option(help: ArgumentHelp("Without --root: how long to wait for a twin service to start (default: until one does).",
                               valueName: "seconds"))
    var waitForService: Double?

    @Flag(help: "One line per alert event instead of the full screen.")
    var plain = false

    @Flag(help: "One JSON object per alert event (NDJSON) instead of the full screen.")
    var json = false

    @Option(help: ArgumentHelp("Exit after this many lines (--plain and --json).", valueName: "n"))
    var count: Int?

    @Option(help: ModelFiles.twinsHelp)
    var twins: String?

    @Option(help: ArgumentHelp("Name put on acknowledgements (default: $USER).", valueName: "name"))
    var user: String = ProcessInfo.processInfo.environment["USER"] ?? "trainer"

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    func validate() throws {
        guard !(plain && json) else { throw ValidationError("choose --plain or --json, not both") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let waitForService, !(waitForService > 0) { throw ValidationError("--wait-for-service must be more than 0 seconds") }
    }

    func run() async throws {
        let interactive = !plain && !json && Terminal.isInteractive
        let logger = interactive ? global.bootstrapSilentLogging() : global.bootstrapLogging()
        let configuration = try connection.clientConfiguration(broker: global.broker)
        let root: String
        if let given = self.root {
            root = given
        } else {
            root = try await RootDiscovery.single(configuration, timeout: waitForService.map { .seconds($0) }, logger: logger) { notice in
                FileHandle.standardError.write(Data("twinhub console: \(notice)\n".utf8))
            }
        }
        let topics: TopicMap
        do {
            topics = try TopicMap(root: root)
        } catch {
            throw ValidationError(error.description)
        }
        var settings = ConsoleOptions(connection: configuration, topics: topics, user: user, faults: try faultChoices())
        if let expiry = connection.sessionExpiry { settings.sessionExpiry = .seconds(expiry) }
        let options = settings
        if interactive {
            let terminal = try Terminal()
            defer { terminal.restore() }
            let colors = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            let console = InteractiveConsole.Runner(options: options, terminal: terminal, colors: colors, logger: logger)
            try await CommandLifecycle.run([CommandLifecycle.part(console, named: "console")], logger: logger)
        } else {
            let stream = AlertStream.Runner(options: options, format: json ? .json : .plain, limit: count, logger: logger,
                                            output: { Output.line($0) },
                                            notice: { FileHandle.standardError.write(Data("twinhub console: \($0)\n".utf8)) })
            try await CommandLifecycle.run([CommandLifecycle.part(stream, named: "alert stream")], logger: logger)
            guard let summary = stream.summary else { return }
            var closing = "twinhub console: \(summary.lines) \(summary.lines == 1 ? "line" : "lines")"
            if summary.unreadable > 0 { closing += ", \(summary.unreadable) unreadable messages" }
            if summary.dropped > 0 { closing += ", \(summary.dropped) messages dropped (output too slow)" }
            FileHandle.standardError.write(Data((closing + "\n").utf8))
        }
    }

    /// The faults of each kind, built in and in --twins, for the fault menu.
    private func faultChoices() throws -> [String: [FaultChoice]] {
        let kinds = try ModelFiles.kinds(overriddenBy: twins)
        return FaultChoice.menus(for: kinds.mapValues(\.interface))
    }
}
