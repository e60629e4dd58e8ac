import ArgumentParser
import SimulationRuntime
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// How a scenario runs, shared by `sim` and `demo`: speed, seed, duration, topic root and the kinds' folder.
struct ScenarioRunOptions: ParsableArguments {
    @Option(help: "Simulated seconds per wall second (default: the scenario's).")
    var speed: Double?

    @Option(help: "Seed of the random choices (default: the scenario's).")
    var seed: Int?

    @Option(help: ArgumentHelp("Stop after this much simulated time, e.g. 8h.", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Topic root (default: the scenario's enterprise).", valueName: "root"))
    var root: String?

    @Option(help: ArgumentHelp("Part of every machine's client ID, to run two fleets of one scenario under the same root on one broker.",
                               valueName: "id"))
    var fleetID: String?

    @Option(help: ModelFiles.twinsHelp)
    var twins: String?

    func validate() throws {
        if let speed, !ScenarioLoader.speedRange.contains(speed) {
            throw ValidationError("--speed must be from \(ScenarioLoader.speedRange.lowerBound) to \(Int(ScenarioLoader.speedRange.upperBound))")
        }
        if let duration, DurationText.parse(duration) == nil {
            throw ValidationError("--duration must read like 90s, 15m, 8h or 1d")
        }
    }

    /// The kinds in --twins and the scenario `argument` names (a file or a name), with --seed applied.
    func load(_ argument: String) throws -> (kinds: [String: MachineKind], scenario: Scenario) {
        let kinds = try ModelFiles.kinds(overriddenBy: twins)
        var scenario = try ModelFiles.scenario(argument, kinds: kinds)
        if let seed { scenario.seed = UInt64(truncatingIfNeeded: seed) }
        return (kinds, scenario)
    }

    /// The topics under --root, or the scenario's enterprise.
    func topics(for scenario: Scenario) throws -> TopicMap {
        do {
            return try TopicMap(root: root ?? scenario.enterprise)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// --speed, or the scenario's.
    func speed(for scenario: Scenario) -> Double { speed ?? scenario.speed }

    /// How the fleet runs: these options over `connection`, machines reconnecting quickly after a network loss.
    func fleetOptions(_ connection: ClientConfiguration, topics: TopicMap, scenario: Scenario) -> FleetSimulator.Options {
        var options = FleetSimulator.Options(connection: connection, topics: topics, speed: speed(for: scenario),
                                             duration: duration.flatMap(DurationText.parse))
        options.connection.reconnect = .init(initialDelay: .milliseconds(200), maximumDelay: .seconds(10))
        options.fleetID = fleetID
        return options
    }
}
