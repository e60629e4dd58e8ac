/// Severity thresholds on one measured quantity (a temperature, a change, seconds offline, time to a
/// predicted crossing...), with hysteresis so an alert does not flap around a threshold.
///
/// `above`: a severity applies when the measure is strictly above its threshold, and holds until the
/// measure falls to its threshold minus the hysteresis or lower. `below` is the mirror image.
public struct Levels: Sendable, Equatable {
    public enum Direction: String, Sendable { case above, below }

    /// How far back past a threshold the measure must go before its severity lets go.
    public enum Hysteresis: Sendable, Equatable {
        /// In the measure's unit.
        case absolute(Double)
        /// As a fraction of each threshold (0.1 = 10 %).
        case relative(Double)
    }

    public var direction: Direction
    /// Threshold per severity, least severe first. Thresholds grow more extreme with severity.
    public private(set) var thresholds: [(severity: Severity, value: Double)]
    public var hysteresis: Hysteresis

    /// - Throws: a description when a more severe level is not more extreme than a less severe one.
    public init(direction: Direction, thresholds: [Severity: Double], hysteresis: Hysteresis = .absolute(0)) throws(LevelsError) {
        let sorted = thresholds.sorted { $0.key < $1.key }.map { (severity: $0.key, value: $0.value) }
        guard !sorted.isEmpty else { throw LevelsError("give at least one level") }
        for (lower, higher) in zip(sorted, sorted.dropFirst()) {
            let ordered = direction == .above ? higher.value > lower.value : higher.value < lower.value
            guard ordered else {
                throw LevelsError("\(higher.severity) (\(Levels.text(higher.value))) must be \(direction == .above ? "above" : "below") \(lower.severity) (\(Levels.text(lower.value)))")
            }
        }
        self.direction = direction
        self.thresholds = sorted
        self.hysteresis = hysteresis
    }

    public static func == (lhs: Levels, rhs: Levels) -> Bool {
        lhs.direction == rhs.direction && lhs.hysteresis == rhs.hysteresis
            && lhs.thresholds.map(\.severity) == rhs.thresholds.map(\.severity) && lhs.thresholds.map(\.value) == rhs.thresholds.map(\.value)
    }

    /// The threshold of `severity`, if the levels have one.
    public func threshold(of severity: Severity) -> Double? {
        thresholds.first { $0.severity == severity }?.value
    }

    /// The least severe threshold: where an alert starts.
    public var entry: (severity: Severity, value: Double) { thresholds[0] }

    /// The severity `measure` calls for, given the severity in force now (`nil`: none).
    public func severity(for measure: Double, current: Severity?) -> Severity? {
        var result: Severity?
        for (severity, threshold) in thresholds {
            if passes(measure, threshold) {
                result = severity
            } else if let current, severity <= current, passes(measure, releasePoint(threshold)) {
                // Still inside the hysteresis band of a level already reached: it holds.
                result = severity
            }
        }
        return result
    }

    /// Where a level of `threshold` lets go.
    public func releasePoint(_ threshold: Double) -> Double {
        let margin: Double
        switch hysteresis {
        case .absolute(let value): margin = value
        case .relative(let fraction): margin = abs(threshold) * fraction
        }
        return direction == .above ? threshold - margin : threshold + margin
    }

    private func passes(_ measure: Double, _ threshold: Double) -> Bool {
        direction == .above ? measure > threshold : measure < threshold
    }
}

/// Levels that cannot be ordered by severity.
public struct LevelsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Levels {
    /// A number without a needless `.0`.
    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
