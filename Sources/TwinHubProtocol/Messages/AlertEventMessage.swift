import RuleLanguage
import Foundation
import TwinModel

/// One alert lifecycle event from `{root}/_alerts/events`.
public struct AlertEventMessage: Sendable, Equatable {
    /// `raised`, `escalated`, `deescalated`, `acknowledged`, `cleared` or `closed`.
    public var event: String
    /// When the twin service published it (wall clock).
    public var time: Date
    public var previousSeverity: Severity?
    /// The alert after the event.
    public var alert: AlertSnapshot

    public init(event: String, time: Date, previousSeverity: Severity? = nil, alert: AlertSnapshot) {
        self.event = event
        self.time = time
        self.previousSeverity = previousSeverity
        self.alert = alert
    }

    /// Whether the event ends the alert.
    public var closesAlert: Bool { event == "closed" || alert.status == "closed" }
}
