/// Which refusals are worth a log line: the first ten of each reason, then every thousandth, so a flood of bad
/// messages cannot flood the log (every one is still counted, and the twin service dead-letters it). The twin
/// service and the simulator log refusals through one.
public struct RefusalLog: Sendable {
    private var counts: [String: Int] = [:]

    public init() {}

    /// Counts a refusal for `reason`.
    /// - Returns: its number among the refusals for `reason` when it is to be logged, else `nil`.
    public mutating func note(_ reason: String) -> Int? {
        let count = counts[reason, default: 0] + 1
        counts[reason] = count
        return count <= 10 || count % 1000 == 0 ? count : nil
    }
}
