import Foundation
import TwinModel
import Twins

/// The JSON of alerts, their events and their counts. Pure.
public enum AlertPayloads {
    /// An open alert (retained on its topic).
    public static func alert(_ alert: Alert) -> [UInt8] {
        var writer = JSONWriter()
        write(alert, into: &writer)
        return writer.bytes
    }

    /// A lifecycle event: what happened, when (wall clock), and the alert after it.
    public static func event(_ event: AlertEvent, time: Date) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("event", string: event.kind.rawValue)
        writer.field("ts", string: ISO8601Parsing.string(time))
        if let previous = event.previousSeverity { writer.field("previous_severity", string: previous.rawValue) }
        writer.key("alert")
        write(event.alert, into: &writer)
        writer.close()
        return writer.bytes
    }

    /// Open alerts of a site, area or line (retained).
    public static func counts(_ key: PlantPath, _ counts: AlertCounts) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.fields(of: key)
        writer.field("active", integer: counts.active)
        writer.field("unacknowledged", integer: counts.unacknowledged)
        writer.key("by_severity")
        writer.open()
        for severity in Severity.allCases.reversed() { writer.field(severity.rawValue, integer: counts.bySeverity[severity] ?? 0) }
        writer.close()
        writer.close()
        return writer.bytes
    }

    private static func write(_ alert: Alert, into writer: inout JSONWriter) {
        writer.open()
        writer.field("id", string: alert.id)
        writer.fields(of: alert.address)
        writer.field("kind", string: alert.kind)
        writer.field("rule", string: alert.rule)
        writer.field("name", string: alert.ruleName)
        writer.field("severity", string: alert.severity.rawValue)
        writer.field("status", string: alert.status.rawValue)
        writer.field("active", bool: alert.isActive)
        writer.field("acknowledged", bool: alert.acknowledgement != nil)
        writer.field("count", integer: alert.count)
        writer.field("first_seen", string: ISO8601Parsing.string(alert.firstSeen))
        writer.field("last_seen", string: ISO8601Parsing.string(alert.lastSeen))
        writer.field("raised_at", string: ISO8601Parsing.string(alert.raisedAt))
        if let cleared = alert.clearedAt { writer.field("cleared_at", string: ISO8601Parsing.string(cleared)) }
        if let ack = alert.acknowledgement {
            writer.key("acknowledgement")
            writer.open()
            writer.field("by", string: ack.by)
            writer.field("at", string: ISO8601Parsing.string(ack.at))
            writer.field("comment", string: ack.comment)
            writer.close()
        }
        writer.field("message", string: alert.message)
        writer.key("explanation")
        writer.open()
        writer.field("condition", string: alert.explanation.condition)
        writer.field("description", string: alert.explanation.description)
        writer.key("values")
        writer.open()
        for (name, value) in alert.explanation.values.sorted(by: { $0.key < $1.key }) { writer.field(name, number: value) }
        writer.close()
        if let measure = alert.explanation.measure, measure.isFinite { writer.field("measure", number: measure) }
        if let threshold = alert.explanation.threshold { writer.field("threshold", number: threshold) }
        writer.close()
        writer.close()
    }
}
