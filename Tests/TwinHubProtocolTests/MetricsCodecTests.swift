import Foundation
import Testing
import TwinModel
import Twins
import TwinHubProtocol

/// The twin service's metrics: written byte for byte as the service always wrote them, and read strictly.
@Suite("Metrics codec")
struct MetricsCodecTests {
    /// A busy service: every kind of figure non-zero.
    static let busy = ServiceMetricsMessage(
        time: at("07:00:00"), messagesIn: 11_204, decodeErrors: ["too_large": 1, "malformed_json": 2], refusals: ["unit_mismatch": 1, "duplicate": 3],
        deadLetters: 7, unknownKind: 1, duplicates: 5, retainedDeleted: 2, dropped: 12, shed: 6, lagMean: .microseconds(3_001), lagMaximum: .milliseconds(25), twins: 40,
        heapBytes: 51_000_000, connectivity: [.online: 37, .offline: 1, .stale: 2, .unknown: 0], openAlerts: 3, activeAlerts: 2,
        alertEvents: 9, acknowledged: 4, acknowledgementsRefused: 1, ruleEvaluations: 123_456)

    /// ``busy`` as the service has always written it.
    static let busyJSON = #"{"ts":"2026-03-02T07:00:00.000Z","messages_in":11204,"decode_errors":{"malformed_json":2,"too_large":1},"#
        + #""refusals":{"duplicate":3,"unit_mismatch":1},"dead_letters":7,"unknown_kind":1,"duplicates":5,"retained_deleted":2,"dropped":12,"shed":6,"lag_ms":{"mean":3.001,"max":25},"#
        + #""twins":40,"heap_bytes":51000000,"online":37,"offline":1,"stale":2,"unknown":0,"#
        + #""alerts":{"open":3,"active":2,"events":9,"acknowledged":4,"acknowledgements_refused":1,"rule_evaluations":123456}}"#

    @Test("Written as the service has always written them: maps sorted, lag in milliseconds to the microsecond, every connectivity")
    func golden() {
        #expect(String(decoding: JSONCodec.metrics(Self.busy), as: UTF8.self) == Self.busyJSON)
        let idle = ServiceMetricsMessage(time: at("06:00:00").addingTimeInterval(0.5), messagesIn: 1, lagMean: .nanoseconds(1_234_567),
                                         lagMaximum: .nanoseconds(1_234_499), connectivity: [.stale: 1])
        #expect(String(decoding: JSONCodec.metrics(idle), as: UTF8.self)
                == #"{"ts":"2026-03-02T06:00:00.500Z","messages_in":1,"decode_errors":{},"refusals":{},"dead_letters":0,"unknown_kind":0,"duplicates":0,"retained_deleted":0,"#
                + #""dropped":0,"shed":0,"lag_ms":{"mean":1.235,"max":1.234},"twins":0,"heap_bytes":0,"online":0,"offline":0,"stale":1,"unknown":0,"#
                + #""alerts":{"open":0,"active":0,"events":0,"acknowledged":0,"acknowledgements_refused":0,"rule_evaluations":0}}"#)
    }

    @Test("Read back whole; a service older than shedding (no shed member) reads as 0 shed")
    func decode() throws {
        #expect(try JSONCodec.decodeMetrics(Array(Self.busyJSON.utf8)) == Self.busy)
        let older = try JSONCodec.decodeMetrics(Array(Self.busyJSON.replacingOccurrences(of: #""shed":6,"#, with: "").utf8))
        #expect(older.shed == 0)
    }

    @Test("Refused with the member and why", arguments: [
        (#""messages_in":11204"#, #""messages_in":-5"#, PayloadError.Code.invalidValue, "\"messages_in\""),
        (#""messages_in":11204"#, #""messages_in":1.5"#, .invalidValue, "\"messages_in\""),
        (#""messages_in":11204"#, #""messages_in":"11204""#, .wrongType, "\"messages_in\""),
        (#""ts":"2026-03-02T07:00:00.000Z""#, #""ts":"yesterday""#, .invalidValue, "\"ts\""),
        (#""too_large":1"#, #""too_large":"1""#, .wrongType, "\"too_large\""),
        (#""refusals":{"duplicate":3,"unit_mismatch":1}"#, #""refusals":[]"#, .wrongType, "\"refusals\""),
        (#""mean":3.001"#, #""mean":-0.001"#, .invalidValue, "\"mean\""),
        (#""max":25"#, #""maximum":25"#, .missingField, "\"max\""),
        (#""stale":2,"#, "", .missingField, "\"stale\""),
        (#","alerts":{"open":3,"active":2,"events":9,"acknowledged":4,"acknowledgements_refused":1,"rule_evaluations":123456}"#, "",
         .missingField, "\"alerts\""),
        (#","rule_evaluations":123456"#, "", .missingField, "\"rule_evaluations\""),
        (busyJSON, "[]", .wrongType, "must be a JSON object"),
        (busyJSON, #"{"ts":1"#, .malformedJSON, "(at byte 7)"),
    ])
    func refusals(replacing original: String, with broken: String, code: PayloadError.Code, naming reason: String) {
        #expect(Self.busyJSON.contains(original), "the case breaks the payload")
        let payload = Self.busyJSON.replacingOccurrences(of: original, with: broken)
        let error = #expect(throws: PayloadError.self) { try JSONCodec.decodeMetrics(Array(payload.utf8)) }
        #expect(error?.code == code, "\(payload)")
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("Larger than the size allowed: too large")
    func tooLarge() {
        let error = #expect(throws: PayloadError.self) { try JSONCodec.decodeMetrics(Array(Self.busyJSON.utf8), maximumSize: 100) }
        #expect(error?.code == .tooLarge)
    }
}
