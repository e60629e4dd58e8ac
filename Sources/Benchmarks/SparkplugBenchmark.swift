import Foundation
import Rules
import Simulation
import SparkplugB
import TwinModel
import TwinServiceCore
import Twins
import TwinHubProtocol

/// Sparkplug B against JSON, on one thread with no broker, in the same run: what a machine's telemetry sample costs to
/// publish (the simulator's encoding against the edge node session's DDATA: report by exception and protobuf) and to
/// apply (the twin service's JSON decode and core against the host session, the feed and the same core). Rounds
/// alternate JSON and Sparkplug, so both see the same machine load; best of the rounds.
public struct SparkplugBenchmark: Sendable {
    public var machines: Int
    public var messages: Int
    public var rounds: Int

    public init(machines: Int, messages: Int, rounds: Int) {
        self.machines = machines
        self.messages = messages
        self.rounds = rounds
    }

    public static let name = "sparkplug"

    public var method: String {
        "One thread, no broker: \(BenchNumber.grouped(Double(messages))) telemetry samples of \(BenchNumber.grouped(Double(machines))) simulated "
            + "machines (made before timing), each published once as JSON (the simulator's TelemetryEncoder) and once as a DDATA of its "
            + "line's edge node (EdgeNodeSession: report by exception, aliases, protobuf), then applied by the twin service's core with "
            + "every rule: the JSON through its decoder, the DDATA through SparkplugIngest (HostSession's seq check, the feed's whole "
            + "sample). Births are sent before timing. CPU time of the thread per message, best of \(rounds) rounds, JSON and Sparkplug "
            + "alternating; bytes are payload bytes (topics aside)."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        let picked = context.fleet.machinesSpread(machines)
        let samples = Self.samples(picked, scenario: context.fleet, count: messages)
        context.progress("sparkplug: \(samples.count) samples of \(picked.count) machines")
        var best = (jsonEdge: Double.infinity, sparkplugEdge: Double.infinity, jsonHost: Double.infinity, sparkplugHost: Double.infinity)
        var bytes = (json: 0, sparkplug: 0)
        for round in 1...rounds {
            let json = Self.jsonEdge(picked, samples, topics: context.topics)
            let sparkplug = try Self.sparkplugEdge(picked, samples)
            let jsonHost = Self.jsonHost(json.messages, context: context)
            let sparkplugHost = try Self.sparkplugHost(sparkplug, context: context)
            best = (min(best.jsonEdge, json.seconds), min(best.sparkplugEdge, sparkplug.seconds), min(best.jsonHost, jsonHost),
                    min(best.sparkplugHost, sparkplugHost))
            bytes = (json.bytes, sparkplug.bytes)
            context.progress("sparkplug: round \(round)/\(rounds): publish JSON \(CoreBenchmark.micros(json.seconds)), Sparkplug "
                + "\(CoreBenchmark.micros(sparkplug.seconds)); apply JSON \(CoreBenchmark.micros(jsonHost)), Sparkplug \(CoreBenchmark.micros(sparkplugHost))")
        }
        let count = Double(samples.count)
        return [
            BenchFigure(benchmark: Self.name, measure: "publish a sample: Sparkplug DDATA (edge node session, protobuf) against JSON, per message",
                        value: "\(CoreBenchmark.micros(best.sparkplugEdge)), \(BenchNumber.grouped(Double(bytes.sparkplug) / count)) bytes",
                        peer: "JSON \(CoreBenchmark.micros(best.jsonEdge)), \(BenchNumber.grouped(Double(bytes.json) / count)) bytes",
                        ratio: best.sparkplugEdge / best.jsonEdge),
            BenchFigure(benchmark: Self.name, measure: "apply a sample: Sparkplug host (session, feed) and core against JSON decode and core, per message",
                        value: CoreBenchmark.micros(best.sparkplugHost), peer: "JSON \(CoreBenchmark.micros(best.jsonHost))",
                        ratio: best.sparkplugHost / best.jsonHost),
        ]
    }

    /// Telemetry samples of `machines`, by machine index, in the order the simulator makes them.
    static func samples(_ machines: [MachineInstance], scenario: Scenario, count: Int) -> [(Int, TelemetrySample)] {
        var simulators = MachineSimulator.fleet(machines, scenario: scenario)
        var samples: [(Int, TelemetrySample)] = []
        samples.reserveCapacity(count)
        var time = 0.0
        while samples.count < count {
            time += 1
            for index in simulators.indices {
                for case .telemetry(let sample) in simulators[index].advance(to: time) where samples.count < count { samples.append((index, sample)) }
            }
        }
        return samples
    }

    private static func jsonEdge(_ machines: [MachineInstance], _ samples: [(Int, TelemetrySample)],
                                 topics: TopicMap) -> (seconds: Double, bytes: Int, messages: [(String, [UInt8])]) {
        let encoders = machines.map(TelemetryEncoder.init(for:))
        let names = machines.map { topics.topic(.telemetry, for: $0.path) }
        var messages: [(String, [UInt8])] = []
        messages.reserveCapacity(samples.count)
        var bytes = 0
        let start = ThreadCPUClock.now
        for (index, sample) in samples {
            let payload = encoders[index].encode(sample)
            bytes += payload.count
            messages.append((names[index], payload))
        }
        return ((ThreadCPUClock.now - start) / Double(max(1, samples.count)), bytes, messages)
    }

    /// What the edge nodes published: births first (untimed), then the timed DDATA.
    struct SparkplugStream {
        var births: [SparkplugPublication]
        var data: [SparkplugPublication]
        /// CPU seconds per sample.
        var seconds: Double
        var bytes: Int
    }

    private static func sparkplugEdge(_ machines: [MachineInstance], _ samples: [(Int, TelemetrySample)]) throws -> SparkplugStream {
        var nodes: [EdgeNodeDescriptor: Int] = [:]
        var sessions: [EdgeNodeSession] = []
        var nodeOf: [Int] = []
        var births: [SparkplugPublication] = []
        for machine in machines {
            let node = try SparkplugAddress.edgeNode(of: machine.path)
            if nodes[node] == nil {
                nodes[node] = sessions.count
                var session = EdgeNodeSession(configuration: .init(node: node))
                _ = session.handle(.connecting(now: 0))
                sessions.append(session)
            }
            nodeOf.append(nodes[node]!)
            let state = StateChange(time: Date(timeIntervalSince1970: 0), sequence: 0, state: .running, previous: .running, reason: "start")
            _ = sessions[nodeOf.last!].handle(.deviceOnline(deviceID: machine.path.name,
                                                             metrics: MachineDevice.birth(kind: machine.kind.interface, state: state, counters: nil, sample: nil), now: 0))
        }
        for index in sessions.indices {
            births += sessions[index].handle(.connected(now: 0)).compactMap { if case .publish(let p) = $0 { p } else { nil } }
        }
        let ids = machines.map(\.path.name), kinds = machines.map(\.kind.interface)
        var data: [SparkplugPublication] = []
        data.reserveCapacity(samples.count)
        var bytes = 0
        let start = ThreadCPUClock.now
        for (index, sample) in samples {
            for case .publish(let publication) in sessions[nodeOf[index]].handle(.deviceValues(
                deviceID: ids[index], MachineDevice.updates(sample, kind: kinds[index]), now: MachineDevice.timestamp(sample.time))) {
                bytes += publication.payload.count
                data.append(publication)
            }
        }
        return SparkplugStream(births: births, data: data, seconds: (ThreadCPUClock.now - start) / Double(max(1, samples.count)), bytes: bytes)
    }

    private static func jsonHost(_ messages: [(String, [UInt8])], context: BenchContext) -> Double {
        var core = CoreBenchmark.core(context)
        var actions: [TwinServiceCore.Action] = []
        let received = Date()
        let start = ThreadCPUClock.now
        for (topic, payload) in messages {
            guard let address = context.topics.machineTopic(of: topic) else { continue }
            let decoded = Result { () throws(PayloadError) in
                try JSONCodec.decodeMachineMessage(payload, channel: address.channel, maximumSize: JSONCodec.defaultMaximumSize)
            }
            core.handle(.machine(TwinServiceCore.MachineMessage(machine: address.machine, channel: address.channel, decoded: decoded,
                                                                topic: topic, payload: payload, received: received)), into: &actions)
            actions.removeAll(keepingCapacity: true)
        }
        let elapsed = ThreadCPUClock.now - start
        precondition(core.store.statistics.messagesIn == messages.count)
        return elapsed / Double(messages.count)
    }

    private static func sparkplugHost(_ stream: SparkplugStream, context: BenchContext) throws -> Double {
        var core = CoreBenchmark.core(context)
        var ingest = SparkplugIngest(configuration: try HostSession.Configuration(hostID: "bench"))
        var actions: [TwinServiceCore.Action] = []
        let received = Date()
        for birth in stream.births {
            for event in ingest.received(topic: birth.topic.description, payload: birth.payload, at: received).events {
                core.handle(event, into: &actions)
            }
        }
        let before = core.store.statistics.messagesIn
        actions.removeAll(keepingCapacity: true)
        let start = ThreadCPUClock.now
        for publication in stream.data {
            for event in ingest.received(topic: publication.topic.description, payload: publication.payload, at: received).events {
                core.handle(event, into: &actions)
                actions.removeAll(keepingCapacity: true)
            }
        }
        let elapsed = ThreadCPUClock.now - start
        guard core.store.statistics.messagesIn - before == stream.data.count else {
            throw BenchError("sparkplug: the host applied \(core.store.statistics.messagesIn - before) of \(stream.data.count) DDATA")
        }
        return elapsed / Double(stream.data.count)
    }
}
