import Foundation
import TwinModel

/// The JSON the twin service publishes: twin snapshots, aggregates, dead letters, metrics. Pure.
public enum TwinPayloads {
    /// A twin's snapshot (retained on `…/{machine}/twin`): everything but the history.
    public static func snapshot(_ twin: Twin) -> [UInt8] {
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

    /// A twin's recent samples (retained on `…/{machine}/history`): per property, times and values, oldest first.
    public static func history(_ twin: Twin) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("machine", string: twin.address.name)
        writer.field("version", integer: Int(twin.version))
        writer.key("properties")
        writer.open()
        for (name, history) in twin.history.sorted(by: { $0.key < $1.key }) {
            let samples = history.samples
            writer.key(name)
            writer.open()
            if let first = samples.first { writer.field("start", string: ISO8601Parsing.string(first.time)) }
            writer.key("offsets_s")
            writer.openArray()
            for sample in samples { writer.element(number: sample.time.timeIntervalSince(samples[0].time)) }
            writer.closeArray()
            writer.key("values")
            writer.openArray()
            for sample in samples { writer.element(number: (sample.value * 1000).rounded() / 1000) }
            writer.closeArray()
            writer.close()
        }
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// Aggregate KPIs of a site, area or line (retained on `…/kpi`).
    public static func aggregate(_ key: PlantPath, machines: Int, shift: ProductionTally, window: ProductionTally) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.fields(of: key)
        writer.field("machines", integer: machines)
        writer.key("shift")
        write(shift.oee, into: &writer)
        writer.key("window")
        write(window.oee, into: &writer)
        writer.close()
        return writer.bytes
    }

    /// A refused message with its reason, for the dead-letter topic.
    public static func deadLetter(topic: String, reason: String, detail: String, payload: [UInt8], time: Date) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(time))
        writer.field("topic", string: topic)
        writer.field("reason", string: reason)
        writer.field("detail", string: detail)
        let shown = Array(payload.prefix(1024))
        if let text = String(validating: shown, as: UTF8.self) {
            writer.field("payload", string: text)
        } else {
            writer.field("payload_base64", string: Data(shown).base64EncodedString())
        }
        if payload.count > shown.count { writer.field("payload_bytes", integer: payload.count) }
        writer.close()
        return writer.bytes
    }

    private static func write(_ oee: OEE, into writer: inout JSONWriter) {
        writer.open()
        for (name, value) in [("oee", oee.value), ("availability", oee.availability), ("performance", oee.performance), ("quality", oee.quality)] {
            if let value { writer.field(name, number: (value * 10_000).rounded() / 10_000) }
        }
        writer.close()
    }
}
