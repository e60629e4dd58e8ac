/// Which refusals are worth a log line: the first ten of each reason, then every thousandth, so a flood of bad
/// messages cannot flood the log (every one still goes to the dead-letter topic and is counted).
struct RefusalLog: Sendable {
    private var counts: [String: Int] = [:]

    /// Counts a refusal for `reason`.
    /// - Returns: its number among the refusals for `reason` when it is to be logged, else `nil`.
    mutating func note(_ reason: String) -> Int? {
        let count = counts[reason, default: 0] + 1
        counts[reason] = count
        return count <= 10 || count % 1000 == 0 ? count : nil
    }
}
