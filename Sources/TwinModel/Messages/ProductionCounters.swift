import Foundation

/// A machine's production counters after a cycle, as it reports them.
public struct ProductionCounters: Sendable, Equatable, Codable {
    public var time: Date
    public var sequence: UInt64
    public var total: Int
    public var good: Int
    public var scrap: Int
    /// The ideal time per part (the kind's ideal cycle time ÷ parts per cycle), for OEE performance.
    public var idealCycleTime: Duration

    public init(time: Date, sequence: UInt64, total: Int, good: Int, scrap: Int, idealCycleTime: Duration) {
        self.time = time
        self.sequence = sequence
        self.total = total
        self.good = good
        self.scrap = scrap
        self.idealCycleTime = idealCycleTime
    }
}
