import Foundation
import TwinModel

/// What one rule remembers about one twin between evaluations: its alert, timers, windows and trend.
/// Persisted with the twin, so a restart carries on without losing or repeating an alert.
public struct RuleMemory: Sendable, Codable, Equatable {
    /// The rule's alert, until it closes.
    public internal(set) var alert: Alert?
    /// Since when the condition has held while waiting for `for:`.
    var pendingSince: Date?
    /// Since when the clear condition has held while waiting for `clear_for:`.
    var clearingSince: Date?
    /// When the condition became true, within the `repeat:` window.
    var occurrences: [Date] = []
    var wasTrue = false
    /// Stops within the window of a `stops` condition.
    var stops: [Date] = []
    var lastState: MachineState?
    var trend: TrendSeries?

    public init() {}
}
