import FleetView
import Console
import Foundation
import Testing
import TwinModel
import TwinHubProtocol

/// The payloads the twin service publishes, read back; bad ones refused with the topic and the reason.
@Suite struct ConsoleDecoderTests {
    let decoder = ServiceMessageDecoder(topics: PlantFixture.topics)

    func decode(_ topic: String, _ json: String) throws(ServiceMessageError) -> ServiceMessage? {
        try decoder.decode(topic: topic, payload: Array(json.utf8))
    }

    static let twin = """
        {"machine":"cnc-01","site":"leuven","area":"fabrication","line":"line-2","kind":"cnc_machining_centre","version":42,
         "state":{"value":"running","since":"2026-03-02T06:05:01.000Z","reason":"setup done"},
         "connectivity":{"status":"online","since":"2026-03-02T06:00:00.000Z","reason":"connected"},
         "reported":{"vibration":{"value":2.12,"unit":"mm/s","quality":"good","ts":"2026-03-02T07:00:00.000Z"},
                     "spindle_speed":{"value":9480,"unit":"rpm","quality":"out_of_range","ts":"2026-03-02T07:00:00.000Z"}},
         "counters":{"total":12,"good":11,"scrap":1},"desired":{"state":"stopped"},"delta":{"state":"stopped","command":"stop"},
         "kpi":{"shift":{"oee":0.61,"availability":0.9},"window":{"oee":0.7234},"mtbf_s":7200,"seconds_in_state":{"running":3000}}}
        """

    static let alert = """
        {"id":"a1","site":"leuven","area":"fabrication","line":"line-2","machine":"cnc-01","kind":"cnc_machining_centre",
         "rule":"vibration_high","name":"Vibration high","severity":"major","status":"active_acknowledged","active":true,
         "acknowledged":true,"count":2,"first_seen":"2026-03-02T07:00:00.000Z","last_seen":"2026-03-02T07:05:00.000Z",
         "raised_at":"2026-03-02T07:00:00.000Z","acknowledgement":{"by":"ana","at":"2026-03-02T07:01:00.000Z","comment":"ok"},
         "message":"vibration 7.4 mm/s","explanation":{"condition":"vibration above 7.1","description":"","values":{"vibration":7.4},
         "measure":7.4,"threshold":7.1}}
        """

    /// The metrics of a service that has read `messagesIn` messages at `time`, as the service writes them.
    static func metrics(at time: String, messagesIn: Int) -> String {
        String(decoding: JSONCodec.metrics(ServiceMetricsMessage(time: ISO8601Parsing.date(time)!, messagesIn: messagesIn)), as: UTF8.self)
    }

    @Test func twinSnapshot() throws {
        guard case .twin(let machine)? = try decode("acme/leuven/fabrication/line-2/cnc-01/twin", Self.twin) else {
            Issue.record("not a twin")
            return
        }
        #expect(machine.key == PlantFixture.mill)
        #expect(machine.version == 42)
        #expect(machine.state == "running")
        #expect(machine.readings.map(\.name) == ["spindle_speed", "vibration"])
        #expect(machine.reading("spindle_speed")?.quality == "out_of_range")
        #expect(machine.counters == .init(total: 12, good: 11, scrap: 1))
        #expect(machine.desiredState == "stopped")
        #expect(machine.pendingCommand == "stop")
        #expect(machine.window.oee == 0.7234)
        #expect(machine.shift.availability == 0.9)
        #expect(machine.mtbfSeconds == 7200)
    }

    @Test func alertAndItsRemoval() throws {
        guard case .alert(let alert)? = try decode("acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high", Self.alert) else {
            Issue.record("not an alert")
            return
        }
        #expect(alert.severity == .major)
        #expect(alert.acknowledgement?.by == "ana")
        #expect(alert.explanation.values.map(\.name) == ["vibration"])
        #expect(alert.explanation.threshold == 7.1)
        let removed = try decode("acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high", "")
        #expect(removed == .alertRemoved(AlertKey(machine: PlantFixture.mill, rule: "vibration_high")))
        #expect(try decode("acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high/ack", "{}") == nil)
    }

    @Test func eventClosesTheAlertInTheModel() throws {
        var model = FleetModel(broker: "b", root: "acme")
        model.apply(try #require(try decode("acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high", Self.alert)))
        #expect(model.alerts.count == 1)
        let closed = Self.alert.replacingOccurrences(of: "\"active_acknowledged\",\"active\":true", with: "\"closed\",\"active\":false")
        let event = try #require(try decode("acme/_alerts/events", "{\"event\":\"closed\",\"ts\":\"2026-11-22T10:00:00.000Z\",\"alert\":\(closed)}"))
        model.apply(event)
        #expect(model.alerts.isEmpty)
        #expect(model.recentEvents.count == 1)
    }

    @Test func aggregatesAndMetrics() throws {
        var model = FleetModel(broker: "b", root: "acme")
        let line = try #require(try decode("acme/leuven/fabrication/line-2/kpi", "{\"site\":\"leuven\",\"area\":\"fabrication\",\"line\":\"line-2\",\"machines\":2,\"shift\":{},\"window\":{\"oee\":0.5}}"))
        model.apply(line)
        #expect(model.lines[PlantPath(site: "leuven", area: "fabrication", line: "line-2")]?.window.oee == 0.5)
        model.apply(try #require(try decode("acme/_twinhub/metrics", Self.metrics(at: "2026-11-22T10:00:00.000Z", messagesIn: 1000))))
        model.apply(try #require(try decode("acme/_twinhub/metrics", Self.metrics(at: "2026-11-22T10:00:02.000Z", messagesIn: 3000))))
        #expect(model.fleetRate == 1000)
    }

    @Test(arguments: [
        ("acme/leuven/fabrication/line-2/cnc-01/twin", "{not json", "malformed_json"),
        ("acme/leuven/fabrication/line-2/cnc-01/twin", "{\"machine\":\"cnc-02\",\"kind\":\"k\",\"state\":{\"value\":\"idle\"},\"connectivity\":{\"status\":\"online\"}}", "invalid_value"),
        ("acme/leuven/fabrication/line-2/cnc-01/twin", "{\"machine\":\"cnc-01\",\"kind\":\"k\",\"state\":{\"value\":1},\"connectivity\":{\"status\":\"online\"}}", "wrong_type"),
        ("acme/leuven/fabrication/line-2/cnc-01/twin", "{\"machine\":\"cnc-01\",\"kind\":\"k\",\"state\":{\"value\":\"idle\"}}", "missing_field"),
        ("acme/leuven/fabrication/line-2/cnc-01/alert/x", "{\"site\":\"leuven\",\"area\":\"fabrication\",\"line\":\"line-2\",\"machine\":\"cnc-01\",\"rule\":\"x\",\"severity\":\"apocalyptic\",\"status\":\"a\",\"active\":true}", "invalid_value"),
        ("acme/leuven/fabrication/line-2/cnc-01/alert/x", "{\"site\":\"leuven\",\"area\":\"fabrication\",\"line\":\"line-2\",\"machine\":\"cnc-01\",\"rule\":\"y\",\"severity\":\"minor\",\"status\":\"a\",\"active\":true}", "invalid_value"),
        ("acme/_alerts/events", "{\"event\":\"raised\",\"ts\":\"yesterday\",\"alert\":{}}", "invalid_value"),
        ("acme/leuven/fabrication/line-2/cnc-01/history", "{\"properties\":{\"v\":{\"values\":[1,\"2\"]}}}", "wrong_type"),
        ("acme/_twinhub/metrics", Self.metrics(at: "2026-11-22T10:00:00.000Z", messagesIn: -5), "invalid_value"),
        ("acme/_twinhub/metrics", "{\"ts\":\"2026-11-22T10:00:00.000Z\",\"messages_in\":1000}", "missing_field"),
    ])
    func badPayloadsAreRefusedWithWhereAndWhy(topic: String, payload: String, code: String) {
        #expect {
            _ = try decode(topic, payload)
        } throws: { error in
            guard let error = error as? ServiceMessageError else { return false }
            return error.topic == topic && error.error.code.rawValue == code
        }
    }

    @Test func refusalsAreCountedAndTheModelKept() throws {
        var model = PlantFixture.model()
        let before = model.machines
        do {
            _ = try decode("acme/leuven/fabrication/line-2/cnc-01/twin", "[1,2")
        } catch {
            model.refuse(error)
        }
        #expect(model.refused == 1)
        #expect(model.lastRefusal?.topic == "acme/leuven/fabrication/line-2/cnc-01/twin")
        #expect(model.machines == before)
    }

    @Test func hugePayloadIsRefused() {
        let huge = "{\"machine\":\"" + String(repeating: "x", count: 300_000) + "\"}"
        #expect(throws: ServiceMessageError.self) { try decode("acme/leuven/fabrication/line-2/cnc-01/twin", huge) }
    }

    @Test func unrelatedTopicsAreIgnored() throws {
        #expect(try decode("acme/leuven/fabrication/line-2/cnc-01/telemetry", "{}") == nil)
        #expect(try decode("acme/leuven/alerts", "{}") == nil)
        #expect(try decode("other/leuven/fabrication/line-2/cnc-01/twin", "{}") == nil)
    }

    @Test func plainAndJSONLines() throws {
        guard case .alert(let alert)? = try decode("acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high", Self.alert) else {
            Issue.record("not an alert")
            return
        }
        let event = AlertEventMessage(event: "escalated", time: Date(timeIntervalSince1970: 1_795_000_000), previousSeverity: .warning, alert: alert)
        #expect(AlertLine.plain(event) == "2026-11-18T11:06:40.000Z MAJOR    escalated    leuven/fabrication/line-2/cnc-01 vibration_high: vibration 7.4 mm/s (warning → major)")
        let open = AlertLine.json(openAlertPayload: Array(Self.alert.utf8), time: Date(timeIntervalSince1970: 0))
        #expect(!open.contains("\n"))
        let parsed = try JSONReader.read(Array(open.utf8))
        #expect(parsed["event"] == .string("open"))
        #expect(parsed["alert"]?["rule"] == .string("vibration_high"))
    }
}
