import CMalloc
import Foundation
import Rules
import Simulation
import TwinModel
import TwinServiceCore
import TwinStorage
import TwinStorageSQLite
import Twins
import TwinHubProtocol

/// Core: what one message costs the pure parts, on one thread, with no broker, no lock and no I/O. The twin
/// service's part is the topic, decoding, and its core (``TwinServiceCore``: the twin's update, the rules a reading
/// concerns, what to publish and store), and, per twin, encoding it for storage (what the service's writer does each
/// second for every changed twin); the simulator's part is a machine's step and the telemetry's JSON. These are the floors under the
/// ingest, latency and simulator figures, and the place to profile them (`perf record twinhub bench --only core`).
public struct CoreBenchmark: Sendable {
    public var machines: Int
    public var messages: Int
    public var rounds: Int
    /// Twins of one sample each whose heap is measured.
    public var heapTwins: Int

    public init(machines: Int, messages: Int, rounds: Int, heapTwins: Int) {
        self.machines = machines
        self.messages = messages
        self.rounds = rounds
        self.heapTwins = heapTwins
    }

    public static let name = "core"

    public var method: String {
        "One thread, no broker: the twin service's topic parsing, decode and core (twin update, rules (every rule of the kinds), publication and storage bookkeeping) over the ingest "
            + "stream of \(BenchNumber.grouped(Double(messages))) messages from \(BenchNumber.grouped(Double(machines))) machines; "
            + "making the record and rule memories of each of the resulting twins and encoding them for storage (5 times over); the simulator's step and telemetry encoding for "
            + "the same machines and as many messages. CPU time of the "
            + "thread (`CLOCK_THREAD_CPUTIME_ID`) per message; best of \(rounds) rounds (the least disturbed by other work). Heap: "
            + "\(BenchNumber.grouped(Double(heapTwins))) twins of one sample each (the first sample of each machine, copied under new "
            + "names), and the \(BenchNumber.grouped(Double(machines))) twins of the whole stream (their histories of 60 samples full "
            + "when the stream gives that many, KPI windows in use), through the same twin store and rules; glibc's heap bytes in use (`mallinfo2`) after, less before, per twin."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        context.progress("core: generating \(messages) messages from \(machines) machines")
        let stream = TelemetryStream(scenario: context.fleet, machines: machines, count: messages, topics: context.topics)
        var service: [Double] = [], storing: [Double] = [], simulator: [Double] = []
        for round in 1...rounds {
            let (message, store) = Self.serviceCost(stream, context: context)
            service.append(message)
            storing.append(store)
            simulator.append(Self.simulatorCost(context.fleet, machines: machines, messages: messages))
            context.progress("core: round \(round)/\(rounds): service \(Self.micros(message)), storing a twin \(Self.micros(store)), "
                + "simulator \(Self.micros(simulator.last!))")
        }
        let serviceBest = service.min()!, simulatorBest = simulator.min()!, storingBest = storing.min()!
        let firstPerMachine = stream.firstPerMachine
        let seen = firstPerMachine.messages.count
        let firsts = try ReplicatedTelemetry(firstPerMachine, copies: max(1, heapTwins / seen))
        let fresh = try Self.heapPerTwin((0..<firsts.count).lazy.map(firsts.message), twins: firsts.count, context: context)
        let full = try Self.heapPerTwin(stream.messages.lazy.map { ($0.topic, $0.payload) }, twins: seen, context: context)
        let samples = stream.messages.count / max(seen, 1)
        context.progress("core: heap \(Int(fresh)) bytes per fresh twin, \(Int(full)) per twin of \(samples) samples")
        return [
            BenchFigure(benchmark: Self.name, measure: "twin service: topic, decode and core (twin, rules, bookkeeping), per message (one thread)",
                        value: "\(Self.micros(serviceBest)) (\(BenchNumber.grouped(1 / serviceBest)) msg/s)"),
            BenchFigure(benchmark: Self.name, measure: "twin service: storing a twin: its record and rule memories, made and encoded",
                        value: "\(Self.micros(storingBest)) (\(BenchNumber.grouped(1 / storingBest)) twins/s)"),
            BenchFigure(benchmark: Self.name, measure: "simulator: machine step and telemetry JSON, per message (one thread)",
                        value: "\(Self.micros(simulatorBest)) (\(BenchNumber.grouped(1 / simulatorBest)) msg/s)"),
            BenchFigure(benchmark: Self.name,
                        measure: "twin service: heap per twin in the twin store and rules (\(BenchNumber.grouped(Double(firsts.count))) twins × 1 sample)",
                        value: "\(BenchNumber.grouped(fresh)) bytes"),
            BenchFigure(benchmark: Self.name,
                        measure: "twin service: heap per twin in the twin store and rules (\(BenchNumber.grouped(Double(seen))) twins × "
                            + "\(samples) samples\(samples >= TwinSettings().historySize ? ", history \(TwinSettings().historySize) full" : ""))",
                        value: "\(BenchNumber.grouped(full)) bytes"),
        ]
    }

    static func micros(_ seconds: Double) -> String {
        String(format: "%.2f µs", seconds * 1e6)
    }

    /// Seconds of thread CPU per message through decode and the twin service's core (twin, rules, what to publish and
    /// store), and then per twin stored.
    static func serviceCost(_ stream: TelemetryStream, context: BenchContext) -> (message: Double, store: Double) {
        var core = Self.core(context)
        var actions: [TwinServiceCore.Action] = []
        let received = Date()
        var performed = 0
        let start = ThreadCPUClock.now
        for message in stream.messages {
            performed += ingest(message.topic, message.payload, into: &core, actions: &actions, received: received, topics: context.topics)
        }
        let elapsed = ThreadCPUClock.now - start
        precondition(core.store.statistics.messagesIn == stream.messages.count && performed >= 0)
        return (elapsed / Double(stream.messages.count), storeCost(core.store, core.rules))
    }

    /// A core as `twinhub serve` runs it: every rule of the kinds, with storage.
    static func core(_ context: BenchContext) -> TwinServiceCore {
        var configuration = TwinServiceCore.Configuration()
        configuration.storing = true
        return TwinServiceCore(store: TwinStore(kinds: context.kinds.mapValues(\.interface)), rules: RuleBook(kinds: context.kinds, overrides: []),
                               configuration: configuration)
    }

    /// Topic, decode and the core for one message, as the service's runtime does them; returns how many actions it gave.
    private static func ingest(_ topic: String, _ payload: [UInt8], into core: inout TwinServiceCore, actions: inout [TwinServiceCore.Action],
                               received: Date, topics: TopicMap) -> Int {
        guard let address = topics.machineTopic(of: topic) else { return 0 }
        let decoded = Result { () throws(PayloadError) in
            try JSONCodec.decodeMachineMessage(payload, channel: address.channel, maximumSize: JSONCodec.defaultMaximumSize)
        }
        core.handle(.machine(TwinServiceCore.MachineMessage(machine: address.machine, channel: address.channel, decoded: decoded, topic: topic,
                                                            payload: payload, received: received)), into: &actions)
        defer { actions.removeAll(keepingCapacity: true) }
        return actions.count
    }

    /// Heap bytes per twin held by the twin service's core (twin store, rules, its bookkeeping) after `messages`, which
    /// make `twins` twins.
    static func heapPerTwin(_ messages: some Sequence<(topic: String, payload: [UInt8])>, twins: Int, context: BenchContext) throws -> Double {
        let received = Date()
        let before = twinhub_heap_bytes_in_use()
        var core = Self.core(context)
        var actions: [TwinServiceCore.Action] = []
        for message in messages {
            _ = ingest(message.topic, message.payload, into: &core, actions: &actions, received: received, topics: context.topics)
        }
        let after = twinhub_heap_bytes_in_use()
        guard core.store.twins.count == twins else {
            throw BenchError("heap: \(core.store.twins.count) twins, not \(twins)")
        }
        return withExtendedLifetime(core) { Double(Int(after) - Int(before)) / Double(twins) }
    }

    /// Seconds of thread CPU to make one twin's record and its rules' memories and encode them for storage, as the
    /// service does for every changed twin each second.
    static func storeCost(_ store: TwinStore, _ rules: RuleEngine) -> Double {
        let twins = Array(store.twins.values)
        let start = ThreadCPUClock.now
        let rounds = 5
        var bytes = 0
        for _ in 0..<rounds {
            for twin in twins { bytes += SQLiteTwinStorage.encode(StoredTwin(record: twin.record, rules: rules.saved(twin)))?.record.count ?? 0 }
        }
        precondition(bytes > 0)
        return (ThreadCPUClock.now - start) / Double(rounds * twins.count)
    }

    /// Seconds of thread CPU per telemetry message stepped and encoded.
    static func simulatorCost(_ scenario: Scenario, machines: Int, messages: Int) -> Double {
        let picked = scenario.machinesSpread(machines)
        var simulators = MachineSimulator.fleet(picked, scenario: scenario)
        let encoders = picked.map(TelemetryEncoder.init(for:))
        var produced = 0, bytes = 0, time = 0.0
        let start = ThreadCPUClock.now
        while produced < messages {
            time += 1
            for index in simulators.indices {
                for case .telemetry(let sample) in simulators[index].advance(to: time) {
                    bytes += encoders[index].encode(sample).count
                    produced += 1
                }
            }
        }
        let elapsed = ThreadCPUClock.now - start
        precondition(bytes > 0)
        return elapsed / Double(produced)
    }
}

/// The calling thread's CPU time, in seconds.
enum ThreadCPUClock {
    static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
