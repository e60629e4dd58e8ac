import RuleLanguage
import Foundation
import TwinModel
import Rules

/// An alert lifecycle event (`{root}/_alerts/events`, QoS 1): what happened, when, and the alert after it.
extension JSONCodec {
    /// A lifecycle event: what happened, when (wall clock), and the alert after it.
    public static func alertEvent(_ event: AlertEvent, time: Date) -> [UInt8] {
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

    /// Reads an alert event (the shape ``alertEvent(_:time:)`` writes).
    public static func decodeAlertEvent(_ fields: JSONFields) throws(PayloadError) -> AlertEventMessage {
        var previous: Severity?
        if let name = try fields.optionalString("previous_severity") {
            guard let severity = Severity(rawValue: name) else { throw PayloadError(.invalidValue, "unknown severity '\(name.prefix(40))'") }
            previous = severity
        }
        return AlertEventMessage(event: try fields.string("event"), time: try fields.timestamp("ts"), previousSeverity: previous,
                              alert: try decodeAlert(fields.object("alert")))
    }
}
