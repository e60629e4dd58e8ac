/// Random failures drawn with exponential distributions.
public struct Reliability: Sendable {
    public var mtbf: Duration
    public var mttr: Duration
    /// Faults a random failure picks from (uniformly).
    public var faults: [String]
}
