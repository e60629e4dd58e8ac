import Foundation
import Simulation
import Rules
import TwinModel
import Twins

/// One machine of a shipped scenario simulated without a broker: every message it sends is applied to its twin and
/// evaluated by the kinds' rules, as the twin service does (the machine's clock serves as the wall clock).
struct ScenarioRun {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let kinds: [String: MachineKind] = try! KindLoader.loadDirectory(root.appendingPathComponent("twins").path)

    /// A scenario of `simulations/`, by file name.
    static func scenario(_ file: String) throws -> Scenario {
        try ScenarioLoader.load(file: root.appendingPathComponent("simulations/\(file)").path, kinds: kinds)
    }

    /// Every scenario shipped in `simulations/`.
    static func shippedScenarios() throws -> [Scenario] {
        let folder = root.appendingPathComponent("simulations")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted().map(scenario)
    }

    /// What one message did.
    struct Step {
        var event: SimulationEvent
        /// When the machine sent it (simulated time).
        var time: Date
        /// The alert events it caused.
        var alerts: [AlertEvent]
    }

    private(set) var simulator: MachineSimulator
    private(set) var twin: Twin
    /// `nil` when the run looks only at the twin.
    private var engine: RuleEngine?

    init(_ instance: MachineInstance, of scenario: Scenario, rules: Bool = true) {
        simulator = MachineSimulator(instance: instance, scenario: scenario)
        twin = Twin(address: instance.path, kind: instance.kind.interface)
        engine = rules ? RuleEngine(book: RuleBook(kinds: Self.kinds, overrides: scenario.ruleOverrides)) : nil
        // What the fleet publishes as a machine connects.
        let start = simulator.date
        twin.apply(StateChange(time: start, sequence: 0, state: simulator.state, previous: simulator.state, reason: "simulator started"), received: start)
    }

    /// Simulates up to `time` seconds since the scenario's start, calling `observe` after each message is applied.
    mutating func advance(to time: Double, _ observe: (Step, Twin) -> Void) {
        for event in simulator.advance(to: time) {
            let trigger: RuleTrigger, sent: Date
            switch event {
            case .telemetry(let sample):
                twin.apply(sample, received: sample.time)
                (trigger, sent) = (.telemetry(sample.values.map(\.property)), sample.time)
            case .state(let change):
                twin.apply(change, received: change.time)
                (trigger, sent) = (.state, change.time)
            case .counters(let counters):
                twin.apply(counters, received: counters.time)
                (trigger, sent) = (.counters, counters.time)
            case .network:
                observe(Step(event: event, time: simulator.date, alerts: []), twin)
                continue
            }
            observe(Step(event: event, time: sent, alerts: engine?.evaluate(twin, trigger: trigger, wall: sent) ?? []), twin)
        }
    }

    /// A trainer's command, as the machine would take it from its `cmd` topic.
    mutating func command(_ request: MachineCommandRequest) -> CommandRejection? {
        simulator.handle(request)
    }
}
