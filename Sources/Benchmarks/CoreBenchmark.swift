import CMalloc
import Foundation
import Rules
import Simulation
import TwinModel
import TwinService
import TwinStorage
import TwinStorageSQLite
import Twins
import TwinHubProtocol

/// Core: what one message costs the pure parts, on one thread, with no broker, no lock and no I/O. The twin
/// service's part is the topic, decoding, the twin's update and the rules a reading concerns (what `ingest` does
/// under its lock), and, per twin, encoding it for storage (what the service does each second for every changed
/// twin); the simulator's part is a machine's step and the telemetry's JSON. These are the floors under the
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
        "One thread, no broker: the twin service's topic parsing, decode, twin update and rules (every rule of the kinds) over the ingest "
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
            BenchFigure(benchmark: Self.name, measure: "twin service: topic, decode, twin and rules, per message (one thread)",
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

    /// Seconds of thread CPU per message through decode, apply and the rules, and then per twin stored.
    static func serviceCost(_ stream: TelemetryStream, context: BenchContext) -> (message: Double, store: Double) {
        var store = TwinStore(kinds: context.kinds)
        var rules = RuleEngine(book: RuleBook(kinds: context.kinds, overrides: []))
        let received = Date()
        var events = 0
        let start = ThreadCPUClock.now
        for message in stream.messages {
            events += ingest(message.topic, message.payload, into: &store, rules: &rules, received: received, topics: context.topics)
        }
        let elapsed = ThreadCPUClock.now - start
        precondition(store.statistics.messagesIn == stream.messages.count && events >= 0)
        return (elapsed / Double(stream.messages.count), storeCost(store, rules))
    }

    /// Topic, decode, twin and rules for one telemetry message, as the service's ingest does them; returns the alert events.
    private static func ingest(_ topic: String, _ payload: [UInt8], into store: inout TwinStore, rules: inout RuleEngine, received: Date,
                               topics: TopicMap) -> Int {
        guard let machine = topics.machineTopic(of: topic)?.machine else { return 0 }
        guard let decoded = try? JSONCodec.decodeMachineMessage(payload, channel: .telemetry, maximumSize: JSONCodec.defaultMaximumSize) else { return 0 }
        _ = store.apply(decoded, address: machine, received: received)
        guard let twin = store.twins[machine] else { return 0 }
        var events = 0
        for trigger in RuleTrigger.triggers(for: decoded) { events += rules.evaluate(twin, trigger: trigger, wall: received).count }
        return events
    }

    /// Heap bytes per twin held by the twin store and the rules engine after `messages`, which make `twins` twins.
    static func heapPerTwin(_ messages: some Sequence<(topic: String, payload: [UInt8])>, twins: Int, context: BenchContext) throws -> Double {
        let received = Date()
        let before = twinhub_heap_bytes_in_use()
        var store = TwinStore(kinds: context.kinds)
        var rules = RuleEngine(book: RuleBook(kinds: context.kinds, overrides: []))
        for message in messages {
            _ = ingest(message.topic, message.payload, into: &store, rules: &rules, received: received, topics: context.topics)
        }
        let after = twinhub_heap_bytes_in_use()
        guard store.twins.count == twins else {
            throw BenchError("heap: \(store.twins.count) twins, not \(twins)")
        }
        return withExtendedLifetime((store, rules)) { Double(Int(after) - Int(before)) / Double(twins) }
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
