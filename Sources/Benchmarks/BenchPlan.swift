/// The sizes of a run: the full one that `BENCHMARKS.md` reports, and a smoke run of a few seconds for CI.
public struct BenchPlan: Sendable {
    public var core: CoreBenchmark
    public var ingest: IngestBenchmark
    public var latency: LatencyBenchmark
    public var simulator: SimulatorBenchmark
    public var memory: MemoryBenchmark
    public var web: WebBenchmark
    public var sparkplug: SparkplugBenchmark

    public static let full = BenchPlan(
        core: CoreBenchmark(machines: 1000, messages: 200_000, rounds: 3, heapTwins: 100_000),
        ingest: IngestBenchmark(machines: 1000, messages: 200_000, rounds: 3),
        latency: LatencyBenchmark(loads: [1000, 10_000, 50_000], probes: 300, machines: 1000, budget: .seconds(20)),
        simulator: SimulatorBenchmark(peerMessages: 300_000, rateMachines: 1000, rateSeconds: 8, processes: 2, shards: 2, cpuSeconds: 10),
        memory: MemoryBenchmark(sizes: [.init(twins: 1000, samples: 60), .init(twins: 10_000, samples: 20), .init(twins: 100_000, samples: 1)]),
        web: WebBenchmark(loads: [.init(clients: 1000, machines: 1000, rate: 10, seconds: 15), .init(clients: 100, machines: 1000, rate: 60, seconds: 15)]),
        sparkplug: SparkplugBenchmark(machines: 1000, messages: 200_000, rounds: 3))

    public static let smoke = BenchPlan(
        core: CoreBenchmark(machines: 1000, messages: 5000, rounds: 1, heapTwins: 2000),
        ingest: IngestBenchmark(machines: 1000, messages: 5000, rounds: 1),
        latency: LatencyBenchmark(loads: [1000], probes: 10, machines: 100, budget: .seconds(5)),
        simulator: SimulatorBenchmark(peerMessages: 50_000, rateMachines: 100, rateSeconds: 8, demands: [0.25], processes: 2, shards: 50, cpuSeconds: 1),
        memory: MemoryBenchmark(sizes: [.init(twins: 1000, samples: 3)]),
        web: WebBenchmark(loads: [.init(clients: 5, machines: 20, rate: 10, seconds: 2)]),
        sparkplug: SparkplugBenchmark(machines: 100, messages: 2000, rounds: 1))

    /// What one benchmark produced.
    public struct Result: Sendable {
        public var name: String
        public var figures: [BenchFigure]
        public var method: String
    }

    /// Runs the benchmarks named in `names`, in the order of this plan.
    public func run(_ names: [String], context: BenchContext) async throws -> [Result] {
        var results: [Result] = []
        if names.contains(CoreBenchmark.name) {
            results.append(Result(name: CoreBenchmark.name, figures: try await core.run(context), method: core.method))
        }
        if names.contains(IngestBenchmark.name) {
            results.append(Result(name: IngestBenchmark.name, figures: try await ingest.run(context), method: ingest.method))
        }
        if names.contains(LatencyBenchmark.name) {
            results.append(Result(name: LatencyBenchmark.name, figures: try await latency.run(context), method: latency.method))
        }
        if names.contains(SimulatorBenchmark.name) {
            results.append(Result(name: SimulatorBenchmark.name, figures: try await simulator.run(context), method: simulator.method))
        }
        if names.contains(MemoryBenchmark.name) {
            results.append(Result(name: MemoryBenchmark.name, figures: try await memory.run(context), method: memory.method))
        }
        if names.contains(WebBenchmark.name) {
            results.append(Result(name: WebBenchmark.name, figures: try await web.run(context), method: web.method))
        }
        if names.contains(SparkplugBenchmark.name) {
            results.append(Result(name: SparkplugBenchmark.name, figures: try await sparkplug.run(context), method: sparkplug.method))
        }
        return results
    }
}
