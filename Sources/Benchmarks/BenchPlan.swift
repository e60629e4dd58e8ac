/// The sizes of a run: the full one that `BENCHMARKS.md` reports, and a smoke run of a few seconds for CI.
public struct BenchPlan: Sendable {
    public var ingest: IngestBenchmark
    public var latency: LatencyBenchmark

    public static let full = BenchPlan(
        ingest: IngestBenchmark(machines: 1000, messages: 200_000, rounds: 3),
        latency: LatencyBenchmark(loads: [1000, 10_000, 50_000], probes: 300, machines: 1000))

    public static let smoke = BenchPlan(
        ingest: IngestBenchmark(machines: 1000, messages: 5000, rounds: 1),
        latency: LatencyBenchmark(loads: [1000], probes: 10, machines: 100))

    /// What one benchmark produced.
    public struct Result: Sendable {
        public var name: String
        public var figures: [BenchFigure]
        public var method: String
    }

    /// Runs the benchmarks named in `names`, in the order of this plan.
    public func run(_ names: [String], context: BenchContext) async throws -> [Result] {
        var results: [Result] = []
        if names.contains(IngestBenchmark.name) {
            results.append(Result(name: IngestBenchmark.name, figures: try await ingest.run(context), method: ingest.method))
        }
        if names.contains(LatencyBenchmark.name) {
            results.append(Result(name: LatencyBenchmark.name, figures: try await latency.run(context), method: latency.method))
        }
        return results
    }
}
