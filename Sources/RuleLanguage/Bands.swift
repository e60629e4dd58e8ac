/// Severity ranges on a measure: alarm `inside` a range (`between`) or `outside` it, with hysteresis.
///
/// `between [a, b]` applies when `a ≤ measure ≤ b` and holds within `[a − h, b + h]`; `outside [a, b]`
/// applies when the measure is below `a` or above `b`, and holds until it is back within `[a + h, b − h]`.
public struct Bands: Sendable, Equatable {
    public var inside: Bool
    public var ranges: [Severity: ClosedRange<Double>]
    public var hysteresis: Double

    public init(inside: Bool, ranges: [Severity: ClosedRange<Double>], hysteresis: Double = 0) {
        self.inside = inside
        self.ranges = ranges
        self.hysteresis = hysteresis
    }

    /// The severity `measure` calls for, given the severity in force now (`nil`: none).
    public func severity(for measure: Double, current: Severity?) -> Severity? {
        var result: Severity?
        for (severity, range) in ranges.sorted(by: { $0.key < $1.key }) {
            if matches(measure, range, margin: 0) {
                result = severity
            } else if let current, severity <= current, matches(measure, range, margin: hysteresis) {
                result = severity
            }
        }
        return result
    }

    private func matches(_ measure: Double, _ range: ClosedRange<Double>, margin: Double) -> Bool {
        if inside { return measure >= range.lowerBound - margin && measure <= range.upperBound + margin }
        return measure < range.lowerBound + margin || measure > range.upperBound - margin
    }
}
