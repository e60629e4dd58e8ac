import Console
import Foundation
import Rules
import Simulation
import TwinModel
import Twins
import TwinHubProtocol

/// A small plant run for four simulated hours through the code that produces every message TwinHub sends:
///
/// - the machines are ``MachineSimulator``s, published as `SimulationRuntime`'s `MachineLink` publishes them
///   (``TelemetryEncoder``, ``JSONPayloads``: the announcement at start, the last will the broker publishes when the
///   network drops, the announcement again after a reconnect, a clean leave at the end), and they take their
///   commands through ``JSONPayloads/decodeCommand(_:)`` as the fleet does;
/// - the twin service is a ``ServiceHarness`` with the kinds' own rules;
/// - a trainer at the console: a ``FleetModel`` fed every message the service publishes through
///   ``ServiceMessageDecoder``, and ``ConsoleUI`` keys for acknowledgements, clearing a fault and starting a machine; desired
///   states written as the README shows them (no code in TwinHub writes one).
///
/// One cnc loses a sensor, gets load spikes, loses its coolant and trips (acknowledged, cleared from the console,
/// then it loses its network for three minutes); another is stopped through a desired state and started from the
/// console; a compressor runs beside them in another area.
struct PlantRun: Sendable {
    /// Every message over the broker, both ways, in order, with the schema of its topic.
    let messages: [ServiceHarness.Publication]
    let topics: TopicMap
    /// Messages the console could not read (none expected).
    let consoleRefusals: [String]
    /// Commands a machine refused (none expected).
    let commandRejections: [String]

    /// The run, made once for every test that reads it.
    static let shared: PlantRun = {
        do {
            return try run()
        } catch {
            fatalError("the plant run cannot start: \(error)")
        }
    }()

    /// The payloads of `schema`, in order (not the empty ones that clear a closed alert's retained topic).
    func payloads(_ schema: MessageSchema) -> [[UInt8]] {
        messages.filter { $0.schema == schema && !$0.payload.isEmpty }.map(\.payload)
    }

    /// The plant's sites.
    static let sites = """
          - id: leuven
            areas:
              - id: fabrication
                lines:
                  - id: line-1
                    machines:
                      - id: cnc-01
                        kind: cnc_machining_centre
                        random_faults: false
                        faults:
                          - { fault: vibration_dropout, at: 20m }
                          - { fault: load_spikes, at: 25m }
                          - { fault: coolant_loss, at: 40m }
                          - { fault: network_loss, at: 3h, duration: 3m }
                  - id: line-2
                    machines:
                      - id: cnc-02
                        kind: cnc_machining_centre
                        random_faults: false
              - id: utilities
                lines:
                  - id: air
                    machines:
                      - id: compressor-01
                        kind: screw_compressor
                        random_faults: false
        """

    /// One simulated machine and its connection.
    private struct Machine {
        var simulator: MachineSimulator
        let encoder: TelemetryEncoder
        let topics: (status: String, state: String, counters: String, telemetry: String, desired: String, cmd: String)
        var online = true
        /// What the machine announces again after a reconnect (retained).
        var latestState: [UInt8]?
        var latestCounters: [UInt8]?
    }

    /// The run's moving parts.
    private struct Plant {
        var machines: [Machine]
        var service: ServiceHarness
        var trainer: Trainer
        var messages: [ServiceHarness.Publication] = []
        var consoleRefusals: [String] = []
        var commandRejections: [String] = []

        /// A message over the broker: recorded, then delivered to whoever subscribes.
        mutating func send(_ payload: [UInt8], on topic: String, at time: Date) {
            guard let schema = MessageSchema(topic: topic, in: service.topics) else {
                consoleRefusals.append("no schema for \(topic)")
                return
            }
            messages.append(.init(topic: topic, schema: schema, payload: payload))
            switch schema {
            case .cmd:
                guard let index = machines.firstIndex(where: { $0.topics.cmd == topic }) else { return }
                do {
                    if let rejection = machines[index].simulator.handle(try JSONCodec.decodeCommand(payload)) {
                        commandRejections.append("\(topic): \(rejection)")
                    }
                } catch {
                    commandRejections.append("\(topic): \(error)")
                }
            default:
                service.receive(payload, on: topic, at: time)
            }
            deliverPublished(at: time)
        }

        /// What the service published since: to the console, and its commands to the machines.
        mutating func deliverPublished(at time: Date) {
            for publication in service.takePublished() {
                messages.append(publication)
                if let refusal = trainer.read(publication) { consoleRefusals.append(refusal) }
            }
            for command in service.takeCommands() {
                send(command.payload, on: service.topics.topic(.cmd, for: command.address), at: time)
            }
        }

        /// Machine `index` up to `seconds` after the start, its messages published as `MachineLink` does.
        mutating func advance(_ index: Int, to seconds: Double, now: Date) {
            let events = machines[index].simulator.advance(to: seconds)
            let machine = machines[index]
            for event in events {
                switch event {
                case .telemetry(let sample):
                    if machines[index].online { send(machine.encoder.encode(sample), on: machine.topics.telemetry, at: sample.time) }
                case .state(let change):
                    let payload = JSONCodec.state(change)
                    machines[index].latestState = payload
                    if machines[index].online { send(payload, on: machine.topics.state, at: change.time) }
                case .counters(let counters):
                    let payload = JSONCodec.counters(counters)
                    machines[index].latestCounters = payload
                    if machines[index].online { send(payload, on: machine.topics.counters, at: counters.time) }
                case .network(let up, _):
                    machines[index].online = up
                    if up {
                        announce(index, at: now)
                    } else {
                        // The broker publishes the last will the machine left when it connected.
                        send(JSONCodec.status(online: false, time: nil, reason: "connection lost"), on: machine.topics.status, at: now)
                    }
                }
            }
        }

        /// What a machine says after every connect: online, and its latest state and counters.
        mutating func announce(_ index: Int, at time: Date) {
            let machine = machines[index]
            send(JSONCodec.status(online: true, time: time, reason: "connected"), on: machine.topics.status, at: time)
            if let state = machine.latestState { send(state, on: machine.topics.state, at: time) }
            if let counters = machine.latestCounters { send(counters, on: machine.topics.counters, at: time) }
        }

        /// The trainer does something at the console; what it publishes goes out.
        mutating func console(at time: Date, _ action: (inout Trainer) -> [(topic: String, payload: [UInt8])]) {
            for message in action(&trainer) { send(message.payload, on: message.topic, at: time) }
        }

        /// A desired state for `machine`, as README shows it.
        mutating func desire(_ state: String, for index: Int, at time: Date) {
            var writer = JSONWriter()
            writer.open()
            writer.field("state", string: state)
            writer.close()
            send(writer.bytes, on: machines[index].topics.desired, at: time)
        }
    }

    static func run() throws -> PlantRun {
        let kinds = Repository.kinds
        let plan = try Repository.scenario("protocol_check", start: "2026-03-02T05:50:00Z", seed: 7, sites: sites)
        let topics = try TopicMap(root: plan.enterprise)
        let simulators = MachineSimulator.fleet(plan.machines, scenario: plan)
        var plant = Plant(
            machines: simulators.map { simulator in
                let path = simulator.instance.path
                return Machine(simulator: simulator, encoder: TelemetryEncoder(for: simulator.instance),
                               topics: (topics.topic(.status, for: path), topics.topic(.state, for: path), topics.topic(.counters, for: path),
                                        topics.topic(.telemetry, for: path), topics.topic(.desired, for: path), topics.topic(.cmd, for: path)))
            },
            service: try ServiceHarness(root: plan.enterprise, kinds: kinds, rules: RuleBook(kinds: kinds, overrides: plan.ruleOverrides)),
            trainer: Trainer(topics: topics, kinds: kinds))
        let start = plan.start
        let index = Dictionary(uniqueKeysWithValues: plant.machines.indices.map { (plant.machines[$0].simulator.instance.id, $0) })
        for machine in plant.machines.indices {
            plant.announce(machine, at: start)
            let simulator = plant.machines[machine].simulator
            let initial = JSONCodec.state(StateChange(time: start, sequence: 0, state: simulator.state, previous: simulator.state, reason: "simulator started"))
            plant.machines[machine].latestState = initial
            plant.send(initial, on: plant.machines[machine].topics.state, at: start)
        }
        let step = 60.0
        for seconds in stride(from: step, through: 4 * 3600, by: step) {
            let now = start.addingTimeInterval(seconds)
            for machine in plant.machines.indices { plant.advance(machine, to: seconds, now: now) }
            switch seconds {
            case 5400:
                plant.console(at: now) { $0.acknowledgeFirstAlert(comment: "coolant pump checked", at: now) }
                plant.console(at: now) { $0.acknowledgeFirstAlert(comment: "", at: now) }
            case 6600:
                plant.console(at: now) { $0.select(machine: "cnc-01", at: now) + $0.press([.character("c")], at: now) }
            case 7800:
                plant.desire("stopped", for: index["cnc-02"]!, at: now)
            case 9000:
                plant.console(at: now) { $0.select(machine: "cnc-02", at: now) + $0.press([.character("s")], at: now) }
            case 12_600:
                plant.console(at: now) { $0.acknowledgeFirstAlert(comment: "network back", at: now) }
            default:
                break
            }
            plant.service.tick(at: now)
            plant.deliverPublished(at: now)
        }
        // cnc-02 leaves cleanly, as the fleet does when it stops.
        let end = start.addingTimeInterval(4 * 3600 + 1)
        plant.send(JSONCodec.status(online: false, time: end, reason: "simulator stopped"), on: plant.machines[index["cnc-02"]!].topics.status, at: end)
        plant.service.tick(at: end.addingTimeInterval(1))
        plant.deliverPublished(at: end)
        return PlantRun(messages: plant.messages, topics: topics, consoleRefusals: plant.consoleRefusals, commandRejections: plant.commandRejections)
    }
}
