/// How fast a kind makes parts at best: what OEE performance is measured against.
public struct ProductionSpec: Sendable, Equatable {
    /// The ideal time for one cycle at full speed.
    public var idealCycleTime: Duration
    /// Parts made per cycle.
    public var partsPerCycle: Int

    public init(idealCycleTime: Duration, partsPerCycle: Int) {
        self.idealCycleTime = idealCycleTime
        self.partsPerCycle = partsPerCycle
    }

    /// Used when a kind says nothing of its production: a part a minute.
    public static let `default` = ProductionSpec(idealCycleTime: .seconds(60), partsPerCycle: 1)
}
