import RuleLanguage
import Foundation
import TwinModel
import Rules

/// An open alert (`…/{machine}/alert/{rule}`, QoS 1, retained; emptied when the alert closes).
extension JSONCodec {
    /// An open alert (retained on its topic).
    public static func alert(_ alert: Alert) -> [UInt8] {
        var writer = JSONWriter()
        write(alert, into: &writer)
        return writer.bytes
    }

    static func write(_ alert: Alert, into writer: inout JSONWriter) {
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
        if let raised = alert.raisedMessage { writer.field("raised_message", string: raised) }
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

    /// Reads an alert (the shape ``alert(_:)`` writes).
    public static func decodeAlert(_ fields: JSONFields) throws(PayloadError) -> AlertSnapshot {
        let machine = try fields.path()
        guard machine.isMachine else { throw PayloadError(.missingField, "an alert names its machine (\"machine\")") }
        let key = AlertKey(machine: machine, rule: try fields.string("rule"))
        let severityName = try fields.string("severity")
        guard let severity = Severity(rawValue: severityName) else {
            throw PayloadError(.invalidValue, "unknown severity '\(severityName.prefix(40))'")
        }
        var acknowledgement: AlertSnapshot.Acknowledgement?
        if let ack = try fields.optionalObject("acknowledgement") {
            acknowledgement = .init(by: try ack.optionalString("by") ?? "", at: try ack.optionalTimestamp("at"), comment: try ack.optionalString("comment") ?? "")
        }
        let explanation = try fields.optionalObject("explanation")
        var values: [(name: String, value: Double)] = []
        if let object = try explanation?.optionalObject("values") {
            for name in object.members.keys.sorted() { values.append((name, try object.number(name))) }
        }
        return AlertSnapshot(
            key: key, id: try fields.optionalString("id") ?? key.description, kind: try fields.optionalString("kind") ?? "",
            name: try fields.optionalString("name") ?? key.rule, severity: severity, status: try fields.string("status"),
            isActive: try fields.bool("active"), acknowledgement: acknowledgement, count: try count(fields, "count", default: 1),
            firstSeen: try fields.optionalTimestamp("first_seen"), lastSeen: try fields.optionalTimestamp("last_seen"),
            raisedAt: try fields.optionalTimestamp("raised_at"), clearedAt: try fields.optionalTimestamp("cleared_at"),
            message: try fields.optionalString("message") ?? "", raisedMessage: try fields.optionalString("raised_message"),
            explanation: .init(condition: try explanation?.optionalString("condition") ?? "", description: try explanation?.optionalString("description") ?? "",
                               values: values, measure: try explanation?.optionalNumber("measure"), threshold: try explanation?.optionalNumber("threshold")))
    }

    /// A whole number ≥ 0 under `key`; `fallback` when absent, if given.
    static func count(_ fields: JSONFields, _ key: String, default fallback: Int? = nil) throws(PayloadError) -> Int {
        if let fallback, fields[key] == nil { return fallback }
        return Int(try fields.sequence(key, minimum: 0))
    }
}
