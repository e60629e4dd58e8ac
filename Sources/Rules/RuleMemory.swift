import Foundation
import TwinModel

/// What one rule remembers about one twin between evaluations: its alert, timers, windows and trend.
/// Persisted with the twin, so a restart carries on without losing or repeating an alert.
public struct RuleMemory: Sendable, Codable, Equatable, JSONStreamWritable {
    /// The rule's alert, until it closes.
    public internal(set) var alert: Alert? {
        get { alertBox?.alert }
        set { alertBox = newValue.map(AlertBox.init) }
    }
    /// Since when the condition has held while waiting for `for:`.
    var pendingSince: Date? {
        get { timers?.pendingSince }
        set { if newValue != timers?.pendingSince { uniqueTimers().pendingSince = newValue } }
    }
    /// Since when the clear condition has held while waiting for `clear_for:`.
    var clearingSince: Date? {
        get { timers?.clearingSince }
        set { if newValue != timers?.clearingSince { uniqueTimers().clearingSince = newValue } }
    }
    /// When the condition became true, within the `repeat:` window.
    var occurrences: [Date] {
        get { timers?.occurrences ?? [] }
        _modify { let timers = uniqueTimers(); yield &timers.occurrences }
    }
    var wasTrue = false
    /// Stops within the window of a `stops` condition.
    var stops: [Date] {
        get { timers?.stops ?? [] }
        _modify { let timers = uniqueTimers(); yield &timers.stops }
    }
    var lastState: MachineState?
    var trend: TrendSeries? {
        get { timers?.trend }
        _modify { let timers = uniqueTimers(); yield &timers.trend }
    }
    /// The alert, boxed: an alert is large and most rules of most twins have none, so every memory stays small.
    private var alertBox: AlertBox?
    /// Timers, windows and trend, boxed for the same reason (copied on write): most rules use none of them.
    private var timers: Timers?

    public init() {}

    private final class AlertBox: Sendable {
        let alert: Alert
        init(_ alert: Alert) { self.alert = alert }
    }

    private final class Timers: @unchecked Sendable {
        var pendingSince: Date?
        var clearingSince: Date?
        var occurrences: [Date] = []
        var stops: [Date] = []
        var trend: TrendSeries?

        func copy() -> Timers {
            let copy = Timers()
            copy.pendingSince = pendingSince
            copy.clearingSince = clearingSince
            copy.occurrences = occurrences
            copy.stops = stops
            copy.trend = trend
            return copy
        }
    }

    /// Whether the memory has boxed timers (for tests of its size).
    var hasTimers: Bool { timers != nil }

    /// The timers, made first or copied when shared.
    private mutating func uniqueTimers() -> Timers {
        if timers == nil {
            timers = Timers()
        } else if !isKnownUniquelyReferenced(&timers!) {
            timers = timers!.copy()
        }
        return timers!
    }

    // The same JSON as before the box: stored memories keep reading.
    private enum CodingKeys: String, CodingKey {
        case alert, pendingSince, clearingSince, occurrences, wasTrue, stops, lastState, trend
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alert = try container.decodeIfPresent(Alert.self, forKey: .alert)
        pendingSince = try container.decodeIfPresent(Date.self, forKey: .pendingSince)
        clearingSince = try container.decodeIfPresent(Date.self, forKey: .clearingSince)
        wasTrue = try container.decode(Bool.self, forKey: .wasTrue)
        lastState = try container.decodeIfPresent(MachineState.self, forKey: .lastState)
        // Only what is there: assigning an empty window or no trend would box timers the memory does not use.
        let occurrences = try container.decode([Date].self, forKey: .occurrences)
        if !occurrences.isEmpty { self.occurrences = occurrences }
        let stops = try container.decode([Date].self, forKey: .stops)
        if !stops.isEmpty { self.stops = stops }
        if let trend = try container.decodeIfPresent(TrendSeries.self, forKey: .trend) { self.trend = trend }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(alert, forKey: .alert)
        try container.encodeIfPresent(pendingSince, forKey: .pendingSince)
        try container.encodeIfPresent(clearingSince, forKey: .clearingSince)
        try container.encode(occurrences, forKey: .occurrences)
        try container.encode(wasTrue, forKey: .wasTrue)
        try container.encode(stops, forKey: .stops)
        try container.encodeIfPresent(lastState, forKey: .lastState)
        try container.encodeIfPresent(trend, forKey: .trend)
    }

    /// The JSON of ``encode(to:)``, written straight: a twin's memories are stored each second it changes. An alert or a
    /// trend (few memories have one) goes through the streaming encoder.
    public func write(to writer: inout JSONWriter) throws {
        func dates(_ key: String, _ dates: [Date]) throws {
            writer.key(key)
            writer.openArray()
            for date in dates { try writer.element(finite: date.timeIntervalSinceReferenceDate) }
            writer.closeArray()
        }
        writer.open()
        if let alert {
            writer.key(CodingKeys.alert.rawValue)
            writer.element(rawText: String(decoding: try StreamingJSONEncoder().encode(alert), as: UTF8.self))
        }
        if let pendingSince {
            writer.key(CodingKeys.pendingSince.rawValue)
            try writer.element(finite: pendingSince.timeIntervalSinceReferenceDate)
        }
        if let clearingSince {
            writer.key(CodingKeys.clearingSince.rawValue)
            try writer.element(finite: clearingSince.timeIntervalSinceReferenceDate)
        }
        try dates(CodingKeys.occurrences.rawValue, occurrences)
        writer.field(CodingKeys.wasTrue.rawValue, bool: wasTrue)
        try dates(CodingKeys.stops.rawValue, stops)
        if let lastState { writer.field(CodingKeys.lastState.rawValue, string: lastState.rawValue) }
        if let trend {
            writer.key(CodingKeys.trend.rawValue)
            writer.element(rawText: String(decoding: try StreamingJSONEncoder().encode(trend), as: UTF8.self))
        }
        writer.close()
    }

    public static func == (lhs: RuleMemory, rhs: RuleMemory) -> Bool {
        lhs.alert == rhs.alert && lhs.pendingSince == rhs.pendingSince && lhs.clearingSince == rhs.clearingSince
            && lhs.occurrences == rhs.occurrences && lhs.wasTrue == rhs.wasTrue && lhs.stops == rhs.stops
            && lhs.lastState == rhs.lastState && lhs.trend == rhs.trend
    }
}
