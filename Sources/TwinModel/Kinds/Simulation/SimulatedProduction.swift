/// How a simulated machine's production strays from its ideal (``ProductionSpec``).
public struct SimulatedProduction: Sendable {
    /// Probability that a part is scrap in normal operation.
    public var scrapRate: Double
    /// How much real cycles vary around the ideal (fraction; 0.05 = up to 5 % slower).
    public var cycleVariation: Double

    /// Used when a kind says nothing of its production: no scrap, every cycle ideal.
    static let exact = SimulatedProduction(scrapRate: 0, cycleVariation: 0)
}
