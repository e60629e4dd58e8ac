import RuleLanguage
import Foundation

/// What a rule watches. Each condition computes a measure from the twin and maps it to a severity.
public enum RuleCondition: Sendable {
    /// A property against levels (`above`, `below`) or ranges (`between`, `outside`).
    case threshold(property: String, test: ThresholdTest)
    /// A boolean expression over properties, `state` and KPIs; raised at the rule's severity.
    case expression(RuleExpression)
    /// How much a property changed over a window (least-squares trend × window); `falls_by` levels
    /// are on the fall (the negated change).
    case rate(property: String, over: Duration, rising: Bool, levels: Levels)
    /// Seconds since the machine last sent anything (wall clock).
    case noData(Levels)
    /// Seconds the machine has been offline (its status or last will).
    case offline(Levels)
    /// Seconds in one of `states` (the machine's clock).
    case stateDuration(states: Set<MachineState>, levels: Levels)
    /// Stops (leaving `running` for anything else) within a rolling window.
    case stops(within: Duration, levels: Levels)
    /// A KPI of the rolling window or the shift, once at least `minimumTime` of it is planned time.
    case kpi(metric: KPIMetric, scope: KPIScope, minimumTime: Duration, levels: Levels)
    /// A least-squares trend of a property over `window`, projected to where it crosses `limit`;
    /// the measure is the time until it does (0 once crossed), in seconds.
    case prediction(Prediction)

    /// How a threshold is tested.
    public enum ThresholdTest: Sendable, Equatable {
        case levels(Levels)
        case bands(Bands)
    }

    /// A projected crossing.
    public struct Prediction: Sendable {
        public var property: String
        public var limit: Double
        /// `above`: predicts rising past the limit; `below`: falling past it.
        public var direction: Levels.Direction
        /// How much history the trend is fitted on.
        public var window: Duration
        /// Time-to-crossing levels (`below`): the sooner, the more severe.
        public var levels: Levels
    }

    /// Which condition this is, as written in the YAML.
    public var name: String {
        switch self {
        case .threshold: "threshold"
        case .expression: "expression"
        case .rate: "rate"
        case .noData, .offline: "inactivity"
        case .stateDuration, .stops: "state"
        case .kpi: "kpi"
        case .prediction: "prediction"
        }
    }

    /// The property the condition is about, if it is about one.
    public var property: String? {
        switch self {
        case .threshold(let property, _), .rate(let property, _, _, _): property
        case .prediction(let prediction): prediction.property
        default: nil
        }
    }
}

/// A KPI a rule can watch (0 to 1).
public enum KPIMetric: String, Sendable, CaseIterable {
    case oee, availability, performance, quality
}

/// Over which period a KPI rule reads the KPI.
public enum KPIScope: String, Sendable {
    /// The twin service's rolling window (an hour by default).
    case window
    /// The current shift so far.
    case shift
}
