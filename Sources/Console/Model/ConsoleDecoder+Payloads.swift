import Foundation
import TwinModel

/// The payload shapes the twin service publishes (see `TwinPayloads` and `AlertPayloads`), read back.
extension ConsoleDecoder {
    static func twin(_ fields: JSONFields, key: PlantPath) throws(PayloadError) -> MachineView {
        let machine = try fields.string("machine")
        guard machine == key.name else { throw PayloadError(.invalidValue, "the twin is of '\(machine)', not of its topic's '\(key.name)'") }
        let state = try fields.object("state")
        let connectivity = try fields.object("connectivity")
        var readings: [MachineView.Reading] = []
        if let reported = try fields.optionalObject("reported") {
            for name in reported.members.keys.sorted() {
                let reading = try reported.object(name)
                readings.append(.init(name: name, value: try reading.number("value"), unit: try reading.optionalString("unit") ?? "",
                                      quality: try reading.optionalString("quality") ?? "good", time: try reading.optionalTimestamp("ts")))
            }
        }
        var counters: MachineView.Counters?
        if let object = try fields.optionalObject("counters") {
            counters = .init(total: try count(object, "total"), good: try count(object, "good"), scrap: try count(object, "scrap"))
        }
        let kpi = try fields.optionalObject("kpi")
        let version = try fields.optionalNumber("version") ?? 0
        return MachineView(
            key: key, kind: try fields.string("kind"), version: version >= 0 && version < 9e15 ? Int(version) : 0,
            state: try state.string("value"), stateSince: try state.optionalTimestamp("since"), stateReason: try state.optionalString("reason") ?? "",
            connectivity: try connectivity.string("status"), connectivitySince: try connectivity.optionalTimestamp("since"),
            connectivityReason: try connectivity.optionalString("reason") ?? "",
            readings: readings, counters: counters,
            desiredState: try fields.optionalObject("desired")?.optionalString("state"),
            pendingCommand: try fields.optionalObject("delta")?.optionalString("command"),
            shift: try oee(kpi?.optionalObject("shift")), window: try oee(kpi?.optionalObject("window")),
            mtbfSeconds: try kpi?.optionalNumber("mtbf_s"), mttrSeconds: try kpi?.optionalNumber("mttr_s"))
    }

    static func history(_ fields: JSONFields) throws(PayloadError) -> [String: [Double]] {
        let properties = try fields.object("properties")
        var series: [String: [Double]] = [:]
        for (name, value) in properties.members {
            guard case .object(let members) = value else { throw PayloadError(.wrongType, "\"\(name)\" must be an object") }
            series[name] = try JSONFields(members: members).numbers("values")
        }
        return series
    }

    static func alert(_ fields: JSONFields) throws(PayloadError) -> AlertView {
        let machine = try fields.path()
        guard machine.isMachine else { throw PayloadError(.missingField, "an alert names its machine (\"machine\")") }
        let key = AlertKey(machine: machine, rule: try fields.string("rule"))
        let severityName = try fields.string("severity")
        guard let severity = Severity(rawValue: severityName) else {
            throw PayloadError(.invalidValue, "unknown severity '\(severityName.prefix(40))'")
        }
        var acknowledgement: AlertView.Acknowledgement?
        if let ack = try fields.optionalObject("acknowledgement") {
            acknowledgement = .init(by: try ack.optionalString("by") ?? "", at: try ack.optionalTimestamp("at"), comment: try ack.optionalString("comment") ?? "")
        }
        let explanation = try fields.optionalObject("explanation")
        var values: [(name: String, value: Double)] = []
        if let object = try explanation?.optionalObject("values") {
            for name in object.members.keys.sorted() { values.append((name, try object.number(name))) }
        }
        return AlertView(
            key: key, id: try fields.optionalString("id") ?? key.description, kind: try fields.optionalString("kind") ?? "",
            name: try fields.optionalString("name") ?? key.rule, severity: severity, status: try fields.string("status"),
            isActive: try fields.bool("active"), acknowledgement: acknowledgement, count: try count(fields, "count", default: 1),
            firstSeen: try fields.optionalTimestamp("first_seen"), lastSeen: try fields.optionalTimestamp("last_seen"),
            raisedAt: try fields.optionalTimestamp("raised_at"), clearedAt: try fields.optionalTimestamp("cleared_at"),
            message: try fields.optionalString("message") ?? "",
            explanation: .init(condition: try explanation?.optionalString("condition") ?? "", description: try explanation?.optionalString("description") ?? "",
                               values: values, measure: try explanation?.optionalNumber("measure"), threshold: try explanation?.optionalNumber("threshold")))
    }

    static func event(_ fields: JSONFields) throws(PayloadError) -> AlertEventView {
        var previous: Severity?
        if let name = try fields.optionalString("previous_severity") {
            guard let severity = Severity(rawValue: name) else { throw PayloadError(.invalidValue, "unknown severity '\(name.prefix(40))'") }
            previous = severity
        }
        return AlertEventView(event: try fields.string("event"), time: try fields.timestamp("ts"), previousSeverity: previous,
                              alert: try alert(fields.object("alert")))
    }

    static func oee(_ fields: JSONFields?) throws(PayloadError) -> OEEFigures {
        guard let fields else { return OEEFigures() }
        return OEEFigures(oee: try fields.optionalNumber("oee"), availability: try fields.optionalNumber("availability"),
                          performance: try fields.optionalNumber("performance"), quality: try fields.optionalNumber("quality"))
    }

    /// A whole number ≥ 0 under `key`; `fallback` when absent, if given.
    private static func count(_ fields: JSONFields, _ key: String, default fallback: Int? = nil) throws(PayloadError) -> Int {
        if let fallback, fields[key] == nil { return fallback }
        return Int(try fields.sequence(key, minimum: 0))
    }
}
