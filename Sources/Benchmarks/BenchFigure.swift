/// One measured figure of a benchmark run, with its peer and target when it has them.
public struct BenchFigure: Sendable, Equatable {
    /// The benchmark it belongs to: `ingest`, `latency`, `simulator`, `memory`.
    public var benchmark: String
    /// What was measured, in words: `twin service drain, all rules on`.
    public var measure: String
    /// The figure with its unit: `48,210 msg/s`.
    public var value: String
    /// The same measure for the peer in the same run: `mosquitto_sub 50,100 msg/s`.
    public var peer: String?
    /// `value / peer` where a ratio means something.
    public var ratio: Double?
    /// The target in words: `ratio ≥ 0.95`, `p99 < 10 ms`.
    public var target: String?
    /// Whether the target was met; `nil` without a target.
    public var met: Bool?

    public init(benchmark: String, measure: String, value: String, peer: String? = nil, ratio: Double? = nil,
                target: String? = nil, met: Bool? = nil) {
        self.benchmark = benchmark
        self.measure = measure
        self.value = value
        self.peer = peer
        self.ratio = ratio
        self.target = target
        self.met = met
    }
}
