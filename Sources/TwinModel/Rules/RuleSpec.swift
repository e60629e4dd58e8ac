import RuleLanguage
import Foundation

/// One alert rule, as declared with a machine kind (`twins/*.yaml`), a scenario machine or a rules file.
/// Pure data, checked when loaded: every property it reads exists in its kind.
public struct RuleSpec: Sendable {
    /// Unique within the kind; the alert of a machine and a rule is `{machine path}/{id}`.
    public var id: String
    public var name: String
    /// What the rule is for and what to do about it: shown to trainees with the alert.
    public var description: String
    public var condition: RuleCondition
    /// The severity of conditions without levels of their own (expressions).
    public var severity: Severity
    /// The condition must hold this long before the alert is raised (`for:`).
    public var holdFor: Duration?
    /// The clear condition must hold this long before the alert clears (`clear_for:`).
    public var clearFor: Duration?
    /// When set, an active alert clears only once this is true (instead of when its condition stops).
    public var clear: RuleExpression?
    /// Raise only when the condition became true `count` times within `within` (`repeat:`).
    public var repetition: Repetition?
    /// The rule is evaluated only in these states (`while:`); elsewhere it is paused and holds.
    public var states: Set<MachineState>?
    /// A cleared alert stays until acknowledged (ISA-18.2 latching); otherwise it closes when it clears.
    public var latch: Bool
    public var message: MessageTemplate
    public var enabled: Bool
    public var location: SourceLocation

    /// Raise after `count` occurrences within `within`.
    public struct Repetition: Sendable, Equatable {
        public var count: Int
        public var within: Duration
    }

    public init(id: String, name: String, description: String, condition: RuleCondition, severity: Severity = .warning,
                holdFor: Duration? = nil, clearFor: Duration? = nil, clear: RuleExpression? = nil, repetition: Repetition? = nil,
                states: Set<MachineState>? = nil, latch: Bool = true, message: MessageTemplate, enabled: Bool = true,
                location: SourceLocation) {
        self.id = id
        self.name = name
        self.description = description
        self.condition = condition
        self.severity = severity
        self.holdFor = holdFor
        self.clearFor = clearFor
        self.clear = clear
        self.repetition = repetition
        self.states = states
        self.latch = latch
        self.message = message
        self.enabled = enabled
        self.location = location
    }

    /// The properties whose new values can change the rule's outcome: it runs when one of them changes.
    public var properties: Set<String> {
        var names: Set<String> = []
        if let property = condition.property { names.insert(property) }
        if case .expression(let expression) = condition { names.formUnion(expression.variables) }
        if let clear { names.formUnion(clear.variables) }
        return names.subtracting(RuleVariables.nonProperties)
    }

    /// Whether the rule reads the machine's state (it runs on state changes).
    public var readsState: Bool {
        switch condition {
        case .stateDuration, .stops, .kpi: return true
        default: return expressionVariables.contains(RuleVariables.state) || readsKPIs
        }
    }

    /// Whether the rule reads KPIs (it runs on new counters).
    public var readsKPIs: Bool {
        if case .kpi = condition { return true }
        return !expressionVariables.isDisjoint(with: KPIMetric.allCases.map(\.rawValue))
    }

    /// The variables of the condition's and the clear condition's expressions.
    public var expressionVariables: Set<String> {
        var variables = clear?.variables ?? []
        if case .expression(let expression) = condition { variables.formUnion(expression.variables) }
        return variables
    }

    /// Whether the rule's outcome moves with time alone (it runs on the service's clock too).
    public var readsClock: Bool {
        switch condition {
        case .noData, .offline, .stateDuration, .stops, .kpi: return true
        default:
            // Rules fed by the state or KPIs (not by a stream of readings) need the clock for their waits
            // and for KPI windows that move with time.
            return readsKPIs || (readsState && (holdFor != nil || clearFor != nil || repetition != nil))
        }
    }
}

/// The names an expression can read besides the kind's properties.
public enum RuleVariables {
    /// The machine's state, as text: `state == 'running'`.
    public static let state = "state"

    /// Variables that are not properties.
    public static let nonProperties: Set<String> = Set([state] + KPIMetric.allCases.map(\.rawValue))

    /// Every variable of a kind with its type.
    public static func types(for interface: MachineInterface) -> [String: ExpressionType] {
        var types: [String: ExpressionType] = [state: .text]
        for metric in KPIMetric.allCases { types[metric.rawValue] = .number }
        for property in interface.properties { types[property.name] = .number }
        return types
    }
}
