import Foundation
import TwinHubProtocol
import TwinModel
import TwinServiceCore
import Twins

/// The service's metrics as JSON (`{root}/_twinhub/metrics`): messages in, decode errors and refusals by reason,
/// dead letters, drops, lag, twins by connectivity, heap, alerts.
enum MetricsPayload {
    static func encode(_ report: ServiceMetricsMessage) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(report.time))
        writer.field("messages_in", integer: report.messagesIn)
        writer.key("decode_errors")
        writer.open()
        for (code, count) in report.decodeErrors.sorted(by: { $0.key < $1.key }) { writer.field(code, integer: count) }
        writer.close()
        writer.key("refusals")
        writer.open()
        for (reason, count) in report.refusals.sorted(by: { $0.key < $1.key }) { writer.field(reason, integer: count) }
        writer.close()
        writer.field("dead_letters", integer: report.deadLetters)
        writer.field("unknown_kind", integer: report.unknownKind)
        writer.field("dropped", integer: report.dropped)
        // Time from libmosquitto's delivery to the store, over the last interval, in milliseconds to the microsecond.
        writer.key("lag_ms")
        writer.open()
        writer.field("mean", number: (report.lagMean.secondsValue * 1e6).rounded() / 1e3)
        writer.field("max", number: (report.lagMaximum.secondsValue * 1e6).rounded() / 1e3)
        writer.close()
        writer.field("twins", integer: report.twins)
        // The allocator's bytes in use (glibc): what the process's resident memory would be without freed memory kept.
        writer.field("heap_bytes", integer: report.heapBytes)
        for status in [Connectivity.Status.online, .offline, .stale, .unknown] {
            writer.field(status.rawValue, integer: report.connectivity[status] ?? 0)
        }
        writer.key("alerts")
        writer.open()
        writer.field("open", integer: report.openAlerts)
        writer.field("active", integer: report.activeAlerts)
        writer.field("events", integer: report.alertEvents)
        writer.field("acknowledged", integer: report.acknowledged)
        writer.field("acknowledgements_refused", integer: report.acknowledgementsRefused)
        writer.field("rule_evaluations", integer: report.ruleEvaluations)
        writer.close()
        writer.close()
        return writer.bytes
    }
}
