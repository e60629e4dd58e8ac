import Foundation
import TwinModel
import Twins

/// A twin snapshot (`…/{machine}/twin`, QoS 1, retained): everything the twin service knows of a machine but its history.
extension JSONCodec {
    /// A twin's snapshot (retained on `…/{machine}/twin`): everything but the history.
    public static func twin(_ twin: Twin) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.fields(of: twin.address)
        writer.field("kind", string: twin.kind?.id ?? "generic")
        writer.field("version", integer: Int(twin.version))
        writer.key("state")
        writer.open()
        writer.field("value", string: twin.state.rawValue)
        if let since = twin.stateSince { writer.field("since", string: ISO8601Parsing.string(since)) }
        writer.field("reason", string: twin.stateReason)
        writer.close()
        writer.key("connectivity")
        writer.open()
        writer.field("status", string: twin.connectivity.status.rawValue)
        if let since = twin.connectivity.since { writer.field("since", string: ISO8601Parsing.string(since)) }
        writer.field("reason", string: twin.connectivity.reason)
        writer.close()
        writer.key("reported")
        writer.open()
        for (name, property) in twin.reported.sorted(by: { $0.key < $1.key }) {
            writer.key(name)
            writer.open()
            writer.field("value", number: property.value)
            writer.field("unit", string: property.unit)
            writer.field("quality", string: property.quality.rawValue)
            writer.field("ts", string: ISO8601Parsing.string(property.sourceTime))
            writer.close()
        }
        writer.close()
        if let counters = twin.counters {
            writer.key("counters")
            writer.open()
            writer.field("total", integer: counters.total)
            writer.field("good", integer: counters.good)
            writer.field("scrap", integer: counters.scrap)
            writer.close()
        }
        if let desired = twin.desiredState {
            writer.key("desired")
            writer.open()
            writer.field("state", string: desired.rawValue)
            writer.close()
            if let command = twin.command {
                // The delta, as in a device shadow: what differs, and the command that closes it.
                writer.key("delta")
                writer.open()
                writer.field("state", string: desired.rawValue)
                writer.field("command", string: command.command.rawValue)
                writer.close()
            }
        }
        writer.key("kpi")
        writer.open()
        if let start = twin.kpi.shiftStart { writer.field("shift_start", string: ISO8601Parsing.string(start)) }
        writer.key("shift")
        write(twin.kpi.shift.oee, into: &writer)
        writer.key("window")
        write(twin.kpi.window.oee, into: &writer)
        if let mtbf = twin.kpi.lifetime.mtbf { writer.field("mtbf_s", number: mtbf.rounded()) }
        if let mttr = twin.kpi.lifetime.mttr { writer.field("mttr_s", number: mttr.rounded()) }
        writer.key("seconds_in_state")
        writer.open()
        for state in MachineState.allCases where twin.kpi.lifetime.seconds(in: state) > 0 {
            writer.field(state.rawValue, number: twin.kpi.lifetime.seconds(in: state).rounded())
        }
        writer.close()
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// Reads a twin snapshot (the shape ``twin(_:)`` writes) of the machine at `key`, the one its topic names.
    public static func decodeTwin(_ fields: JSONFields, key: PlantPath) throws(PayloadError) -> TwinSnapshot {
        let machine = try fields.string("machine")
        guard machine == key.name else { throw PayloadError(.invalidValue, "the twin is of '\(machine)', not of its topic's '\(key.name)'") }
        let state = try fields.object("state")
        let connectivity = try fields.object("connectivity")
        var readings: [TwinSnapshot.Reading] = []
        if let reported = try fields.optionalObject("reported") {
            for name in reported.members.keys.sorted() {
                let reading = try reported.object(name)
                readings.append(.init(name: name, value: try reading.number("value"), unit: try reading.optionalString("unit") ?? "",
                                      quality: try reading.optionalString("quality") ?? "good", time: try reading.optionalTimestamp("ts")))
            }
        }
        var counters: TwinSnapshot.Counters?
        if let object = try fields.optionalObject("counters") {
            counters = .init(total: try count(object, "total"), good: try count(object, "good"), scrap: try count(object, "scrap"))
        }
        let kpi = try fields.optionalObject("kpi")
        let version = try fields.optionalNumber("version") ?? 0
        return TwinSnapshot(
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
}
