import Foundation
import Simulation
import Rules
import TwinModel
import Twins

/// One machine of a shipped scenario simulated without a broker: every message it sends is applied to its twin and
/// evaluated by the kinds' rules, as the twin service does. The service's wall clock runs `speed` times slower than the
/// simulated one, as beside a fleet run at that speed; the clock-driven rules (offline) run on it.
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

    /// What one message, or the wall clock, did.
    struct Step {
        /// The message; `nil` when the wall clock moved on.
        var event: SimulationEvent?
        /// Simulated time: when the machine sent it, or reached it.
        var time: Date
        /// The alert events it caused.
        var alerts: [AlertEvent]
    }

    private(set) var simulator: MachineSimulator
    private(set) var twin: Twin
    /// `nil` when the run looks only at the twin.
    private var engine: RuleEngine?
    private let start: Date
    private let speed: Double
    /// What the machine announces again when it reconnects.
    private var lastState: StateChange

    init(_ instance: MachineInstance, of scenario: Scenario, rules: Bool = true, speed: Double = 1) {
        simulator = MachineSimulator(instance: instance, scenario: scenario)
        twin = Twin(address: instance.path, kind: instance.kind.interface)
        engine = rules ? RuleEngine(book: RuleBook(kinds: Self.kinds, overrides: scenario.ruleOverrides)) : nil
        start = simulator.date
        self.speed = speed
        // What the fleet publishes as a machine connects.
        lastState = StateChange(time: start, sequence: 0, state: simulator.state, previous: simulator.state, reason: "simulator started")
        twin.apply(lastState, received: start)
    }

    /// The service's clock when the simulated clock reads `time`.
    private func wall(_ time: Date) -> Date {
        start.addingTimeInterval(time.timeIntervalSince(start) / speed)
    }

    /// Simulates up to `time` seconds since the scenario's start, calling `observe` after each message is applied and
    /// after the clock-driven rules ran at the end.
    mutating func advance(to time: Double, _ observe: (Step, Twin) -> Void) {
        for event in simulator.advance(to: time) {
            let triggers: [RuleTrigger], sent: Date
            switch event {
            case .telemetry(let sample):
                twin.apply(sample, received: wall(sample.time))
                (triggers, sent) = ([.telemetry(sample.values.map(\.property))], sample.time)
            case .state(let change):
                twin.apply(change, received: wall(change.time))
                lastState = change
                (triggers, sent) = ([.state], change.time)
            case .counters(let counters):
                twin.apply(counters, received: wall(counters.time))
                (triggers, sent) = ([.counters], counters.time)
            case .network(let up, _):
                // The broker publishes the last will; after a reconnect the machine announces itself and its state.
                sent = simulator.date
                twin.apply(MachineStatus(online: up, time: up ? wall(sent) : nil, reason: up ? "connected" : "connection lost"), received: wall(sent))
                if up { twin.apply(lastState, received: wall(sent)) }
                triggers = [.state, .clock]
            }
            var alerts: [AlertEvent] = []
            let now = wall(sent)
            for trigger in triggers { alerts += engine?.evaluate(twin, trigger: trigger, wall: now) ?? [] }
            observe(Step(event: event, time: sent, alerts: alerts), twin)
        }
        let now = wall(simulator.date)
        if let alerts = engine?.evaluateClock([twin.address: twin], wall: now), !alerts.isEmpty {
            observe(Step(event: nil, time: simulator.date, alerts: alerts), twin)
        }
    }

    /// A trainer's command, as the machine would take it from its `cmd` topic.
    mutating func command(_ request: MachineCommandRequest) -> CommandRejection? {
        simulator.handle(request)
    }
}
