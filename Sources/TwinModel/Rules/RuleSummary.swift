import RuleLanguage
import Foundation

extension RuleSpec {
    /// The rule in words, for explanations: `spindle_temperature above warning 70, major 85 (hysteresis 3) for 10 s`.
    public var summary: String {
        var parts = [condition.summary(severity: severity)]
        if let holdFor { parts.append("for \(Self.seconds(holdFor))") }
        if let repetition { parts.append("\(repetition.count) times within \(Self.seconds(repetition.within))") }
        if let states { parts.append("while \(states.map(\.rawValue).sorted().joined(separator: "/"))") }
        if let clear { parts.append("clears when \(clear)") }
        if let clearFor { parts.append("after \(Self.seconds(clearFor))") }
        return parts.joined(separator: " ")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = duration.secondsValue
        if value >= 3600, value.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(value / 3600)) h" }
        if value >= 60, value.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(value / 60)) min" }
        return "\(Levels.text(value)) s"
    }
}

extension RuleCondition {
    /// The condition in words.
    public func summary(severity: Severity) -> String {
        switch self {
        case .threshold(let property, .levels(let levels)): "\(property) \(levels.direction.rawValue) \(levels.summary(unit: nil))"
        case .threshold(let property, .bands(let bands)):
            "\(property) \(bands.inside ? "between" : "outside") "
                + bands.ranges.sorted { $0.key < $1.key }.map { "\($0.key) \(Levels.text($0.value.lowerBound))–\(Levels.text($0.value.upperBound))" }.joined(separator: ", ")
                + (bands.hysteresis > 0 ? " (hysteresis \(Levels.text(bands.hysteresis)))" : "")
        case .expression(let expression): "\(expression) (\(severity))"
        case .rate(let property, let over, let rising, let levels):
            "\(property) \(rising ? "rises" : "falls") by more than \(levels.summary(unit: nil)) over \(RuleSpec.seconds(over))"
        case .noData(let levels): "no data for longer than \(levels.durationSummary())"
        case .offline(let levels): "offline for longer than \(levels.durationSummary())"
        case .stateDuration(let states, let levels):
            "in \(states.map(\.rawValue).sorted().joined(separator: "/")) for longer than \(levels.durationSummary())"
        case .stops(let within, let levels): "more than \(levels.summary(unit: nil)) stops within \(RuleSpec.seconds(within))"
        case .kpi(let metric, let scope, _, let levels): "\(metric.rawValue) of the \(scope.rawValue) below \(levels.summary(unit: nil))"
        case .prediction(let prediction):
            "\(prediction.property) trend over \(RuleSpec.seconds(prediction.window)) \(prediction.direction == .above ? "exceeds" : "falls below") "
                + "\(Levels.text(prediction.limit)) within \(prediction.levels.durationSummary())"
        }
    }
}

extension Levels {
    /// `warning 70, major 85 (hysteresis 3)`.
    public func summary(unit: String?) -> String {
        let levels = thresholds.map { "\($0.severity) \(Self.text($0.value))\(unit.map { " \($0)" } ?? "")" }.joined(separator: ", ")
        switch hysteresis {
        case .absolute(let value) where value > 0: return "\(levels) (hysteresis \(Self.text(value)))"
        case .relative(let fraction) where fraction > 0: return "\(levels) (hysteresis \(Self.text(fraction * 100)) %)"
        default: return levels
        }
    }

    /// `warning 1 min, major 10 min`: levels that are durations.
    public func durationSummary() -> String {
        thresholds.map { "\($0.severity) \(RuleSpec.seconds(.seconds($0.value)))" }.joined(separator: ", ")
            + (hysteresisText.map { " (\($0))" } ?? "")
    }

    private var hysteresisText: String? {
        switch hysteresis {
        case .absolute(let value) where value > 0: "hysteresis \(RuleSpec.seconds(.seconds(value)))"
        case .relative(let fraction) where fraction > 0: "hysteresis \(Self.text(fraction * 100)) %"
        default: nil
        }
    }
}
