import Foundation
import Simulation
import TwinModel
import TwinHubProtocol

/// A fixed, deterministic stream of telemetry messages from a fleet: what the simulator would publish,
/// generated ahead so that producing it costs nothing while a benchmark measures.
public struct TelemetryStream: Sendable {
    /// One message: its topic and payload.
    public struct Message: Sendable {
        public var topic: String
        public var payload: [UInt8]
    }

    public let messages: [Message]
    /// How many machines it covers.
    public let machines: Int

    /// `count` telemetry messages, one sample per machine in turn, from `machines` machines picked evenly from
    /// `scenario` (a mix of its kinds), under `topics`.
    public init(scenario: Scenario, machines: Int, count: Int, topics: TopicMap) {
        let picked = scenario.machinesSpread(machines)
        var simulators = MachineSimulator.fleet(picked, scenario: scenario)
        let topicsOfMachines = picked.map { topics.topic(.telemetry, for: $0.path) }
        var messages: [Message] = []
        messages.reserveCapacity(count)
        var time = 0.0
        while messages.count < count {
            time += 1
            for index in simulators.indices where messages.count < count {
                for case .telemetry(let sample) in simulators[index].advance(to: time) where messages.count < count {
                    messages.append(Message(topic: topicsOfMachines[index],
                                            payload: JSONCodec.telemetry(sample, machine: picked[index].id, kind: picked[index].kind.id)))
                }
            }
        }
        self.messages = messages
        self.machines = picked.count
    }

    private init(messages: [Message], machines: Int) {
        self.messages = messages
        self.machines = machines
    }

    /// Each machine's first message only.
    public var firstPerMachine: TelemetryStream {
        var seen: Set<String> = []
        return TelemetryStream(messages: messages.filter { seen.insert($0.topic).inserted }, machines: machines)
    }
}
