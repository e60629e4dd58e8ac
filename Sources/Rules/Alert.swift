import RuleLanguage
import Foundation
import TwinModel
import Twins

/// One alert: a rule's condition on one twin. There is at most one alert per (twin, rule); it goes
/// through a lifecycle (ISA-18.2 style) whose transitions return the events to publish:
///
/// ```
/// raise ──▶ active, unacknowledged ──ack──▶ active, acknowledged
///                 │ clear                          │ clear
///                 ▼                                ▼
///          cleared, unacknowledged ──ack──▶     closed
/// ```
/// A latched rule's alert waits in `cleared, unacknowledged` until someone acknowledges it; an unlatched
/// one closes when it clears. Severity escalates and de-escalates on the same alert; an acknowledgement covers the
/// severity it was given at and those below, so an escalation above it asks for a new one, and a de-escalation
/// back within it restores it (as ISA-18.2 alarm management keeps an acknowledgement until the alarm worsens). A condition that returns before a latched alert is acknowledged reactivates
/// the same alert and counts it.
public struct Alert: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case activeUnacknowledged = "active_unacknowledged"
        case activeAcknowledged = "active_acknowledged"
        case clearedUnacknowledged = "cleared_unacknowledged"
        case closed
    }

    /// Who acknowledged, when, and why.
    public struct Acknowledgement: Sendable, Codable, Equatable {
        public var by: String
        public var at: Date
        public var comment: String
    }

    /// An acknowledgement and the severity it was given at.
    struct CoveringAcknowledgement: Sendable, Codable, Equatable {
        var acknowledgement: Acknowledgement
        var severity: Severity
    }

    /// `{site}/{area}/{line}/{machine}/{rule}`.
    public var id: String { key.description }
    /// The machine and the rule.
    public var key: AlertKey { AlertKey(machine: address, rule: rule) }
    public var address: PlantPath
    public var kind: String
    public var rule: String
    public var ruleName: String
    public var severity: Severity
    public private(set) var status: Status
    /// How many times the condition became active for this alert.
    public private(set) var count: Int
    public private(set) var firstSeen: Date
    /// The last time the condition was seen active.
    public internal(set) var lastSeen: Date
    /// When the alert last became active.
    public private(set) var raisedAt: Date
    public private(set) var clearedAt: Date?
    public private(set) var acknowledgement: Acknowledgement?
    /// The last acknowledgement and the severity it was given at, kept while an escalation asks for a new one: a
    /// de-escalation back to that severity or below restores it.
    private var covering: CoveringAcknowledgement?
    /// The rule's message with the rule's current values: rendered again while the alert is active, at most once per
    /// ``refreshInterval`` of the service's clock (and at every change of severity).
    public internal(set) var message: String {
        didSet { if raisedMessage == nil { raisedMessage = oldValue } }
    }
    /// The message as it was when the alert was last raised (absent in alerts stored before it was kept).
    public internal(set) var raisedMessage: String?
    /// When the message was last rendered (service's clock); absent in alerts stored before it was kept.
    var renderedAt: Date?
    /// The least time between two renderings of an active alert's message with new values.
    public static let refreshInterval: TimeInterval = 5
    public internal(set) var explanation: AlertExplanation
    public let latch: Bool

    public var isActive: Bool { status == .activeUnacknowledged || status == .activeAcknowledged }

    /// A new alert, active and unacknowledged.
    public init(address: PlantPath, kind: String, rule: RuleSpec, severity: Severity, at time: Date, message: String,
                explanation: AlertExplanation) {
        self.address = address
        self.kind = kind
        self.rule = rule.id
        ruleName = rule.name
        self.severity = severity
        status = .activeUnacknowledged
        count = 1
        firstSeen = time
        lastSeen = time
        raisedAt = time
        self.message = message
        raisedMessage = message
        self.explanation = explanation
        latch = rule.latch
    }

    /// The condition is active at `severity`: reactivates a cleared alert, or escalates or de-escalates.
    mutating func activate(severity newSeverity: Severity, at time: Date) -> [AlertEvent.Kind] {
        lastSeen = time
        if status == .clearedUnacknowledged {
            status = .activeUnacknowledged
            covering = nil
            count += 1
            raisedAt = time
            clearedAt = nil
            severity = newSeverity
            return [.raised]
        }
        guard isActive, newSeverity != severity else { return [] }
        let escalated = newSeverity > severity
        severity = newSeverity
        if let covering {
            if newSeverity > covering.severity, status == .activeAcknowledged {
                // Worse than what was acknowledged: a new acknowledgement is needed.
                status = .activeUnacknowledged
                acknowledgement = nil
            } else if newSeverity <= covering.severity, status == .activeUnacknowledged {
                status = .activeAcknowledged
                acknowledgement = covering.acknowledgement
            }
        }
        return [escalated ? .escalated : .deescalated]
    }

    /// The clear condition holds.
    mutating func clear(at time: Date) -> [AlertEvent.Kind] {
        guard isActive else { return [] }
        clearedAt = time
        if status == .activeAcknowledged || !latch {
            status = .closed
            return [.cleared, .closed]
        }
        status = .clearedUnacknowledged
        return [.cleared]
    }

    /// Someone acknowledged the alert.
    mutating func acknowledge(by person: String, at time: Date, comment: String) throws(AlertError) -> [AlertEvent.Kind] {
        switch status {
        case .activeUnacknowledged:
            status = .activeAcknowledged
            acknowledgement = Acknowledgement(by: person, at: time, comment: comment)
            covering = acknowledgement.map { CoveringAcknowledgement(acknowledgement: $0, severity: severity) }
            return [.acknowledged]
        case .clearedUnacknowledged:
            status = .closed
            acknowledgement = Acknowledgement(by: person, at: time, comment: comment)
            return [.acknowledged, .closed]
        case .activeAcknowledged:
            throw AlertError(.alreadyAcknowledged, "\(id) was already acknowledged by \(acknowledgement?.by ?? "someone")")
        case .closed:
            throw AlertError(.notActive, "\(id) is closed")
        }
    }

    /// Closed because its rule no longer exists.
    mutating func retire(at time: Date) -> [AlertEvent.Kind] {
        guard status != .closed else { return [] }
        clearedAt = clearedAt ?? time
        status = .closed
        return [.closed]
    }
}

/// Why an alert was raised, for trainees: the rule as written and the values it read.
public struct AlertExplanation: Sendable, Codable, Equatable {
    /// The condition in words: `spindle_temperature above warning 70, major 80 (hysteresis 3)`.
    public var condition: String
    public var description: String
    /// The values the rule read when it last decided, by name.
    public var values: [String: Double]
    /// The number the condition compared (a value, a change, seconds, a time to crossing).
    public var measure: Double?
    /// The threshold of the alert's severity.
    public var threshold: Double?

    public init(condition: String, description: String, values: [String: Double], measure: Double? = nil, threshold: Double? = nil) {
        self.condition = condition
        self.description = description
        self.values = values
        self.measure = measure
        self.threshold = threshold
    }
}

/// Something that happened to an alert, published on the event stream.
public struct AlertEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case raised, escalated, deescalated, acknowledged, cleared, closed
        /// The message of an active alert, rendered again with the current values. Not a lifecycle event: the twin
        /// service refreshes the alert's retained topic with it and puts nothing on the event stream.
        case updated
    }

    public var kind: Kind
    /// The alert after the event.
    public var alert: Alert
    /// The severity before an escalation or de-escalation.
    public var previousSeverity: Severity?
}

/// An acknowledgement that cannot be taken.
public struct AlertError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownAlert = "unknown_alert"
        case alreadyAcknowledged = "already_acknowledged"
        case notActive = "not_active"
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
