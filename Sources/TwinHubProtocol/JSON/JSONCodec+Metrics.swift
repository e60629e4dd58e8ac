import Foundation
import TwinModel
import Twins

/// The twin service's metrics (`{root}/_twinhub/metrics`, QoS 1, retained): messages in, decode errors and refusals by
/// reason, dead letters, drops, lag, twins by connectivity, heap, alerts.
extension JSONCodec {
    /// The service's metrics (retained on `{root}/_twinhub/metrics`).
    public static func metrics(_ metrics: ServiceMetricsMessage) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(metrics.time))
        writer.field("messages_in", integer: metrics.messagesIn)
        writer.key("decode_errors")
        writer.open()
        for (code, count) in metrics.decodeErrors.sorted(by: { $0.key < $1.key }) { writer.field(code, integer: count) }
        writer.close()
        writer.key("refusals")
        writer.open()
        for (reason, count) in metrics.refusals.sorted(by: { $0.key < $1.key }) { writer.field(reason, integer: count) }
        writer.close()
        writer.field("dead_letters", integer: metrics.deadLetters)
        writer.field("unknown_kind", integer: metrics.unknownKind)
        writer.field("duplicates", integer: metrics.duplicates)
        writer.field("retained_deleted", integer: metrics.retainedDeleted)
        writer.field("dropped", integer: metrics.dropped)
        writer.field("shed", integer: metrics.shed)
        // Time from libmosquitto's delivery to the store, over the last interval, in milliseconds to the microsecond.
        writer.key("lag_ms")
        writer.open()
        writer.field("mean", number: (metrics.lagMean.secondsValue * 1e6).rounded() / 1e3)
        writer.field("max", number: (metrics.lagMaximum.secondsValue * 1e6).rounded() / 1e3)
        writer.close()
        writer.field("twins", integer: metrics.twins)
        // The allocator's bytes in use (glibc): what the process's resident memory would be without freed memory kept.
        writer.field("heap_bytes", integer: metrics.heapBytes)
        for status in connectivityOrder { writer.field(status.rawValue, integer: metrics.connectivity[status] ?? 0) }
        writer.key("alerts")
        writer.open()
        writer.field("open", integer: metrics.openAlerts)
        writer.field("active", integer: metrics.activeAlerts)
        writer.field("events", integer: metrics.alertEvents)
        writer.field("acknowledged", integer: metrics.acknowledged)
        writer.field("acknowledgements_refused", integer: metrics.acknowledgementsRefused)
        writer.field("rule_evaluations", integer: metrics.ruleEvaluations)
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// Reads the service's metrics (the shape ``metrics(_:)`` writes); every member is required.
    /// - Throws: ``PayloadError`` saying what is wrong: too large, not JSON, a missing member, a wrong type, a count
    ///   that is not a whole number ≥ 0, a lag below 0.
    public static func decodeMetrics(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize) throws(PayloadError) -> ServiceMetricsMessage {
        let fields = try JSONFields.read(bytes, maximumSize: maximumSize, what: "the service metrics")
        let lag = try fields.object("lag_ms")
        let alerts = try fields.object("alerts")
        var connectivity: [Connectivity.Status: Int] = [:]
        for status in connectivityOrder { connectivity[status] = try count(fields, status.rawValue) }
        return ServiceMetricsMessage(
            time: try fields.timestamp("ts"), messagesIn: try count(fields, "messages_in"),
            decodeErrors: try counts(fields.object("decode_errors")), refusals: try counts(fields.object("refusals")),
            deadLetters: try count(fields, "dead_letters"), unknownKind: try count(fields, "unknown_kind"),
            duplicates: try count(fields, "duplicates"), retainedDeleted: try count(fields, "retained_deleted"),
            dropped: try count(fields, "dropped"), shed: try count(fields, "shed", default: 0), lagMean: try milliseconds(lag, "mean"), lagMaximum: try milliseconds(lag, "max"),
            twins: try count(fields, "twins"), heapBytes: try count(fields, "heap_bytes"), connectivity: connectivity,
            openAlerts: try count(alerts, "open"), activeAlerts: try count(alerts, "active"), alertEvents: try count(alerts, "events"),
            acknowledged: try count(alerts, "acknowledged"), acknowledgementsRefused: try count(alerts, "acknowledgements_refused"),
            ruleEvaluations: try count(alerts, "rule_evaluations"))
    }

    /// The connectivity statuses, in the order the metrics write them.
    private static let connectivityOrder: [Connectivity.Status] = [.online, .offline, .stale, .unknown]

    /// Every member of `object` as a count, by name.
    private static func counts(_ object: JSONFields) throws(PayloadError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in object.members.keys { counts[name] = try count(object, name) }
        return counts
    }

    /// The milliseconds under `key` (≥ 0, to the microsecond) as a duration.
    private static func milliseconds(_ fields: JSONFields, _ key: String) throws(PayloadError) -> Duration {
        let milliseconds = try fields.number(key)
        guard milliseconds >= 0, milliseconds < 9e12 else { throw PayloadError(.invalidValue, "\"\(key)\" must be milliseconds ≥ 0") }
        return .microseconds(Int64((milliseconds * 1e3).rounded()))
    }
}
