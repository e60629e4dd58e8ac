import ArgumentParser
import Foundation
import Logging
import Simulation
import SimulationRuntime
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// `twinhub sim`: run a scenario against a broker.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulate a factory: every machine of a scenario publishes its telemetry to MQTT.",
        discussion: """
            SCENARIO is a file (my-plant.yaml) or the name of a scenario in ./simulations or built in
            (sheet_metal_job_shop, sheet-metal-job-shop). Machine kinds are built in; a ./twins folder or
            --twins adds kinds or takes the place of built-in ones with the same id.
            Examples:
              twinhub sim sheet_metal_job_shop --broker mqtt://localhost:1883
              twinhub sim predictive_maintenance_training --speed 600 --duration 24h
            Topics: {root}/{site}/{area}/{line}/{machine}/{telemetry|state|counters|status|cmd}.
            With --protocol sparkplug: spBv1.0/{site}/{NBIRTH|DBIRTH|NDATA|DDATA|…}/{area}:{line}/{machine}
            (docs/sparkplug.md); --protocol both publishes every value both ways.
            Ctrl-C takes every machine offline cleanly (status "offline", retained) and prints a summary.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Scenario file or name.")
    var scenario: String

    @OptionGroup var runOptions: ScenarioRunOptions

    @OptionGroup(title: "Sparkplug B") var sparkplug: SparkplugSimOptions

    @Option(help: ArgumentHelp("Run only part K of N of the machines (1-based), to spread a large fleet over processes.", valueName: "K/N"))
    var shard: Shard?

    func validate() throws {
        if connection.clientID != nil || connection.willTopic != nil || connection.sessionExpiry != nil {
            throw ValidationError("--client-id, --will-topic and --session-expiry do not apply: every machine has its own client ID and last will")
        }
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        var scenario = try runOptions.load(self.scenario).scenario
        if let shard {
            scenario.machines = scenario.machines.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element)
            guard !scenario.machines.isEmpty else { throw ValidationError("shard \(shard.index)/\(shard.count) has no machines") }
        }
        let topics = try runOptions.topics(for: scenario)
        var options = runOptions.fleetOptions(try connection.clientConfiguration(broker: global.broker), topics: topics, scenario: scenario)
        sparkplug.apply(to: &options, scenario: scenario)
        try FileLimits.ensure(machines: scenario.machines.count)

        let fleet: FleetSimulator
        do {
            fleet = try FleetSimulator(scenario: scenario, options: options, logger: logger)
        } catch {
            throw ConfigurationError("the scenario cannot be published as Sparkplug B: \(error.reason)")
        }
        let interactive = isatty(STDERR_FILENO) == 1
        let runSpeed = options.speed
        FileHandle.standardError.write(Data("twinhub sim: \(scenario.name): \(scenario.machines.count) machines at ×\(options.speed) → \(options.connection.broker) \(Self.destination(options, topics: topics))\n".utf8))
        let runner = FleetSimulator.Runner(fleet) { status in
            let line = StatusLine.render(status, speed: runSpeed)
            if interactive {
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            } else {
                logger.info("\(line)")
            }
        }
        try await CommandLifecycle.run([CommandLifecycle.part(runner, named: "simulator")], logger: logger)
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        guard let summary = runner.summary else { return }
        Output.line(StatusLine.summary(summary))
        if summary.everyStateRefused {
            throw ConfigurationError("the broker refused every state change this fleet sent (\(summary.statesSent)): check its ACL for \(topics.root)/#")
        }
    }
}


extension SimCommand {
    /// Where the fleet publishes: its topic root, its Sparkplug groups, or both.
    static func destination(_ options: FleetSimulator.Options, topics: TopicMap) -> String {
        let sparkplug = "as Sparkplug B (spBv1.0/\(options.sparkplug.groupID ?? "{site}")/…, an edge node per \(options.sparkplug.nodeScope.rawValue)"
            + (options.sparkplug.primaryHostID.map { ", primary host \($0)" } ?? "") + ")"
        switch options.fleetProtocol {
        case .json: return "under \(topics.root)/"
        case .sparkplug: return sparkplug
        case .both: return "under \(topics.root)/ and \(sparkplug)"
        }
    }
}

/// The live status line and the final summary of `twinhub sim`.
enum StatusLine {
    static func render(_ status: FleetStatus, speed: Double) -> String {
        let time = ISO8601Parsing.string(status.simulatedTime).prefix(19).replacingOccurrences(of: "T", with: " ")
        // Below the speed asked only while the clock was held back or catching up; otherwise the speed asked, as steady.
        let pace = status.held > 0.005
            ? "×\(format(status.speed)) of ×\(format(speed)) (held back \(Int((status.held * 100).rounded())) %: the broker or this host cannot keep up)"
            : status.speed < speed * 0.98 ? "×\(format(status.speed)) of ×\(format(speed)) (behind: this host cannot produce it)" : "×\(format(speed))"
        return "sim \(time) \(pace) | \(status.online)/\(status.machines) online | \(format(status.messagesPerSecond)) msg/s | dropped \(status.dropped) | commands \(status.commandsApplied) ok, \(status.commandsRejected) refused"
            + (status.refusedByBroker.isEmpty ? "" : " | refused by the broker: \(refusals(status.refusedByBroker))")
    }

    static func summary(_ summary: FleetSummary) -> String {
        """
        simulated \(clock(summary.simulatedSeconds)) in \(clock(summary.wallSeconds)): \(summary.machines) machines, \
        \(summary.published) messages published, \(summary.dropped) dropped by full queues, \
        \(summary.suppressedWhileOffline) not sent while a machine's network was down, \
        \(summary.commandsApplied) commands applied, \(summary.commandsRejected) refused, \(summary.reconnects) reconnects\
        \(summary.takeovers > 0 ? "; \(summary.takeovers) connections taken over by another client with the same client ID (another fleet with this root and --fleet-id?)" : "")\
        \(summary.heldSeconds >= 0.05 ? "; the clock was held back \(summary.heldSeconds >= 60 ? clock(summary.heldSeconds) : String(format: "%.1fs", summary.heldSeconds)) to keep up" : "")\
        \(summary.refusedByBroker.isEmpty ? "" : "; publishes refused by the broker: \(refusals(summary.refusedByBroker))")
        """
    }

    /// `state 4, status 2`.
    static func refusals(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// `1h05m`, `3m20s`, `42s`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }

    static func format(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}

/// The open-file limit a fleet needs: libmosquitto 2.0 opens a socket and a socket pair per client.
enum FileLimits {
    static let perMachine = 3

    /// Raises the soft limit to the hard one; fails with advice if that is still too low.
    static func ensure(machines: Int) throws {
        let needed = machines * perMachine + 64
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        guard Int(limit.rlim_cur) >= needed else {
            let perProcess = (Int(limit.rlim_cur) - 64) / perMachine
            let shards = (machines + perProcess - 1) / max(perProcess, 1)
            throw ValidationError("""
                \(machines) machines need \(needed) open files (\(perMachine) per MQTT connection in libmosquitto 2.0), \
                but this process may open \(limit.rlim_cur). Raise the limit (ulimit -n, as root: ulimit -Hn), or run \
                the scenario in \(shards) processes with --shard 1/\(shards) … --shard \(shards)/\(shards).
                """)
        }
    }
}

/// `--shard K/N`.
struct Shard: ExpressibleByArgument {
    let index: Int
    let count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }
}
