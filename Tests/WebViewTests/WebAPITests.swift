import FleetView
import Foundation
import Testing
import TwinHubProtocol
import TwinModel
@testable import WebView

/// The web API's answers from what the twin service published, without a server: filters, documents, write intents
/// and the problems of bad requests.
@Suite("Web API")
struct WebAPITests {
    static let topics = try! TopicMap(root: "acme")
    static let kinds = try! KindLoader.loadBuiltIn().mapValues(\.interface)

    static func twin(_ machine: String, line: String = "line-2", kind: String = "cnc_machining_centre", state: String = "running",
                     connectivity: String = "online", oee: Double = 0.72, vibration: Double = 2.12, version: Int = 42) -> String {
        """
        {"machine":"\(machine)","site":"leuven","area":"fabrication","line":"\(line)","kind":"\(kind)","version":\(version),
         "state":{"value":"\(state)","since":"2026-03-02T06:05:01.000Z","reason":"setup done"},
         "connectivity":{"status":"\(connectivity)","since":"2026-03-02T06:00:00.000Z","reason":"connected"},
         "reported":{"vibration":{"value":\(vibration),"unit":"mm/s","quality":"good","ts":"2026-03-02T07:00:00.000Z"}},
         "kpi":{"shift":{"oee":0.61},"window":{"oee":\(oee)}}}
        """
    }

    static func alert(_ machine: String, rule: String = "vibration_high", severity: String = "major", acknowledged: Bool = false) -> String {
        let ack = acknowledged ? ",\"acknowledgement\":{\"by\":\"ana\",\"at\":\"2026-03-02T07:01:00.000Z\",\"comment\":\"ok\"}" : ""
        let status = acknowledged ? "active_acknowledged" : "active_unacknowledged"
        return """
            {"id":"a1","site":"leuven","area":"fabrication","line":"line-2","machine":"\(machine)","kind":"cnc_machining_centre",
             "rule":"\(rule)","name":"Vibration high","severity":"\(severity)","status":"\(status)","active":true,
             "acknowledged":\(acknowledged),"count":1,"first_seen":"2026-03-02T07:00:00.000Z","last_seen":"2026-03-02T07:05:00.000Z",
             "raised_at":"2026-03-02T07:00:00.000Z"\(ack),"message":"vibration 7.4 mm/s",
             "explanation":{"condition":"vibration above 7.1","description":"","values":{"vibration":7.4}}}
            """
    }

    static func fleet() -> WebFleet {
        var fleet = WebFleet(model: FleetModel(broker: "mqtt://b", root: "acme"), decoder: ServiceMessageDecoder(topics: topics))
        let now = Date(timeIntervalSince1970: 1_772_431_200)
        fleet.apply(topic: "acme/leuven/fabrication/line-2/cnc-01/twin", payload: Array(twin("cnc-01").utf8), at: now)
        fleet.apply(topic: "acme/leuven/fabrication/line-2/cnc-02/twin", payload: Array(twin("cnc-02", state: "fault").utf8), at: now)
        fleet.apply(topic: "acme/leuven/fabrication/line-1/brake-01/twin",
                    payload: Array(twin("brake-01", line: "line-1", kind: "press_brake", connectivity: "offline").utf8), at: now)
        fleet.apply(topic: "acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high", payload: Array(alert("cnc-01").utf8), at: now)
        fleet.apply(topic: "acme/leuven/fabrication/line-2/cnc-02/alert/vibration_high",
                    payload: Array(alert("cnc-02", severity: "warning", acknowledged: true).utf8), at: now)
        return fleet
    }

    static func json(_ response: APIResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body))
    }

    static func paths(_ response: APIResponse) throws -> [String] {
        try #require(try json(response) as? [[String: Any]]).compactMap { $0["path"] as? String }
    }

    let api = WebAPI(kinds: WebAPITests.kinds)

    @Test("Path patterns match as MQTT filters do, over site/area/line/machine", arguments: [
        ("#", "s/a/l/m", true), ("s/a/#", "s/a/l/m", true), ("s/a/#", "s/b/l/m", false), ("+/+/l/+", "s/a/l/m", true),
        ("+/+/l/+", "s/a/k/m", false), ("s/a/l/m", "s/a/l/m", true), ("s/a", "s/a/l/m", false), ("s/a/l/m/#", "s/a/l/m", true),
    ])
    func patterns(pattern: String, path: String, matches: Bool) throws {
        #expect(try PathPattern(pattern).matches(#require(PlantPath(path))) == matches)
    }

    @Test("Bad path patterns say which level is wrong", arguments: [
        ("s/#/l", "'#' may only be the last level"), ("s//l", "level 2 is empty"), ("s/a+/l", "'a+'"), ("a/b/c/d/e", "at most 4"),
    ])
    func badPatterns(pattern: String, reason: String) {
        #expect(throws: PatternError.self) { try PathPattern(pattern) }
        do { _ = try PathPattern(pattern) } catch { #expect(error.description.contains(reason), "\(error)") }
    }

    @Test("GET /twins filters by path pattern, kind and state or connectivity; a summary has the worst open alert")
    func twinList() throws {
        let fleet = Self.fleet()
        #expect(try Self.paths(api.twins(query: [:], in: fleet)) == [
            "leuven/fabrication/line-1/brake-01", "leuven/fabrication/line-2/cnc-01", "leuven/fabrication/line-2/cnc-02",
        ])
        #expect(try Self.paths(api.twins(query: ["path": "leuven/fabrication/line-2/#"], in: fleet)).count == 2)
        #expect(try Self.paths(api.twins(query: ["kind": "press_brake"], in: fleet)) == ["leuven/fabrication/line-1/brake-01"])
        #expect(try Self.paths(api.twins(query: ["status": "fault,offline"], in: fleet)).count == 2)
        #expect(try Self.paths(api.twins(query: ["path": "nowhere/#"], in: fleet)).isEmpty)
        let first = try #require(try Self.json(api.twins(query: ["path": "+/+/+/cnc-01"], in: fleet)) as? [[String: Any]]).first
        #expect(first?["oee"] as? Double == 0.72 && first?["state"] as? String == "running" && first?["version"] as? Int == 42)
        #expect((first?["worst_alert"] as? [String: Any])?["severity"] as? String == "major")
        let problem = try #require(throws: APIProblem.self) { try api.twins(query: ["path": "a/#/b"], in: fleet) }
        #expect(problem.status == 400 && problem.location == "query:path")
        let unknown = try #require(throws: APIProblem.self) { try api.twins(query: ["kinds": "x"], in: fleet) }
        #expect(unknown.detail.contains("unknown query parameter 'kinds'"))
    }

    @Test("GET /twins/{path} is the twin service's own document; an unknown machine is 404")
    func twinDocument() throws {
        let fleet = Self.fleet()
        let response = try api.twin("leuven/fabrication/line-2/cnc-01", in: fleet)
        #expect(response.body == Array(Self.twin("cnc-01").utf8))
        #expect(throws: APIProblem.notFound("no twin of leuven/fabrication/line-2/cnc-09 (the twin service has published none)")) {
            try api.twin("leuven/fabrication/line-2/cnc-09", in: fleet)
        }
        #expect((try? api.twin("leuven/fabrication", in: fleet)) == nil)
    }

    @Test("GET /alerts: open alerts, most pressing first, by severity")
    func alertList() throws {
        let fleet = Self.fleet()
        let all = try #require(try Self.json(api.alerts(query: [:], in: fleet)) as? [[String: Any]])
        #expect(all.map { $0["machine"] as? String } == ["cnc-01", "cnc-02"])
        let warnings = try #require(try Self.json(api.alerts(query: ["severity": "warning"], in: fleet)) as? [[String: Any]])
        #expect(warnings.map { $0["machine"] as? String } == ["cnc-02"])
        let bad = try #require(throws: APIProblem.self) { try api.alerts(query: ["severity": "majr"], in: fleet) }
        #expect(bad.detail.contains("did you mean 'major'"))
        #expect(throws: APIProblem.self) { try api.alerts(query: ["status": "closed"], in: fleet) }
    }

    @Test("GET /alerts?status=all adds the alerts closed lately (from the event stream) after the open ones; open leaves them out")
    func closedAlerts() throws {
        var fleet = Self.fleet()
        let closed = Self.alert("cnc-03", severity: "critical", acknowledged: true)
            .replacingOccurrences(of: #""status":"active_acknowledged","active":true"#, with: #""status":"closed","active":false"#)
        let event = #"{"event":"closed","ts":"2026-03-02T07:06:00.000Z","alert":\#(closed)}"#
        fleet.apply(topic: "acme/_alerts/events", payload: Array(event.utf8), at: Date(timeIntervalSince1970: 1_772_431_200))
        let open = try #require(try Self.json(api.alerts(query: [:], in: fleet)) as? [[String: Any]])
        #expect(open.map { $0["machine"] as? String } == ["cnc-01", "cnc-02"])
        let all = try #require(try Self.json(api.alerts(query: ["status": "all"], in: fleet)) as? [[String: Any]])
        #expect(all.map { $0["machine"] as? String } == ["cnc-01", "cnc-02", "cnc-03"])
        #expect(all.last?["status"] as? String == "closed")
        let critical = try #require(try Self.json(api.alerts(query: ["status": "all", "severity": "critical"], in: fleet)) as? [[String: Any]])
        #expect(critical.map { $0["machine"] as? String } == ["cnc-03"], "the filters apply to closed alerts too")
    }

    @Test("An acknowledgement becomes the intent the console would send; unknown, already acknowledged and bad bodies are refused")
    func acknowledgement() throws {
        let fleet = Self.fleet()
        let intent = try api.acknowledge("leuven/fabrication/line-2/cnc-01", rule: "vibration_high",
                                         body: Array(#"{"by":"trainer","comment":"seen"}"#.utf8), in: fleet)
        let machine = try #require(PlantPath("leuven/fabrication/line-2/cnc-01"))
        #expect(intent == .acknowledge(AlertKey(machine: machine, rule: "vibration_high"), AcknowledgementRequest(by: "trainer", comment: "seen")))
        let message = intent.message(in: Self.topics)
        #expect(message.topic == "acme/leuven/fabrication/line-2/cnc-01/alert/vibration_high/ack")

        let unknown = try #require(throws: APIProblem.self) {
            try api.acknowledge("leuven/fabrication/line-2/cnc-01", rule: "vibration_hgh", body: Array("{}".utf8), in: fleet)
        }
        #expect(unknown.status == 404 && unknown.detail.contains("did you mean 'vibration_high'"))
        let twice = try #require(throws: APIProblem.self) {
            try api.acknowledge("leuven/fabrication/line-2/cnc-02", rule: "vibration_high", body: Array(#"{"by":"x"}"#.utf8), in: fleet)
        }
        #expect(twice.status == 409)
        for body in ["", "{", #"{"by":7}"#, "[1]"] {
            let bad = try #require(throws: APIProblem.self) {
                try api.acknowledge("leuven/fabrication/line-2/cnc-01", rule: "vibration_high", body: Array(body.utf8), in: fleet)
            }
            #expect(bad.status == 400, "\(body): \(bad)")
        }
        let large = try #require(throws: APIProblem.self) {
            try api.acknowledge("leuven/fabrication/line-2/cnc-01", rule: "vibration_high",
                                body: Array(repeating: 32, count: WebAPI.defaultMaximumBody + 1), in: fleet)
        }
        #expect(large.status == 413)
    }

    @Test("Commands are checked against the machine's kind; desired states too")
    func commands() throws {
        let fleet = Self.fleet()
        let intent = try api.command("leuven/fabrication/line-2/cnc-01", body: Array(#"{"command":"inject_fault","fault":"coolant_loss"}"#.utf8), in: fleet)
        guard case .command(_, let request) = intent else { Issue.record("not a command"); return }
        #expect(request.command == .injectFault && request.fault == "coolant_loss")
        let typo = try #require(throws: APIProblem.self) {
            try api.command("leuven/fabrication/line-2/cnc-01", body: Array(#"{"command":"inject_fault","fault":"coolant_los"}"#.utf8), in: fleet)
        }
        #expect(typo.status == 400 && typo.location == "/fault" && typo.detail.contains("did you mean 'coolant_loss'"))
        #expect(throws: APIProblem.self) { try api.command("leuven/fabrication/line-2/cnc-01", body: Array(#"{"command":"explode"}"#.utf8), in: fleet) }
        let desired = try api.desire("leuven/fabrication/line-2/cnc-01", body: Array(#"{"state":"stopped"}"#.utf8), in: fleet)
        #expect(desired == .desire(try #require(PlantPath("leuven/fabrication/line-2/cnc-01")), .stopped))
        #expect(throws: APIProblem.self) { try api.desire("leuven/fabrication/line-2/cnc-01", body: Array(#"{"state":"flying"}"#.utf8), in: fleet) }
    }

    @Test("The layout covers every machine seen, the scenario's where it places them; health says what is missing")
    func layoutAndHealth() throws {
        var fleet = Self.fleet()
        let layout = try #require(try Self.json(api.layout(in: fleet)) as? [String: Any])
        let machines = try #require(layout["machines"] as? [[String: Any]])
        #expect(machines.count == 3 && machines.allSatisfy { ($0["pose"] as? [String: Any])?["position"] as? [Double] != nil })
        #expect((layout["groups"] as? [[String: Any]])?.contains { $0["path"] as? String == "leuven/fabrication/line-2" } == true)

        let now = Date(timeIntervalSince1970: 1_772_431_230)
        let down = api.health(of: fleet, now: now)
        #expect(down.status == 503)
        fleet.setConnection(.connected(resumed: false))
        let metrics = JSONCodec.metrics(ServiceMetricsMessage(time: now, messagesIn: 5))
        fleet.apply(topic: "acme/_twinhub/metrics", payload: metrics, at: now)
        let up = api.health(of: fleet, now: now.addingTimeInterval(2))
        #expect(up.status == 200)
        let document = try #require(try Self.json(up) as? [String: Any])
        #expect(document["data_age_s"] as? Double == 2 && document["twins"] as? Int == 3 && document["open_alerts"] as? Int == 2)
    }

    @Test("An unreadable message is counted and changes nothing")
    func refused() {
        var fleet = Self.fleet()
        fleet.apply(topic: "acme/leuven/fabrication/line-2/cnc-01/twin", payload: Array("{\"machine\":".utf8), at: Date())
        #expect(fleet.model.refused == 1)
        #expect(fleet.twinDocuments[PlantPath("leuven/fabrication/line-2/cnc-01")!] == Array(Self.twin("cnc-01").utf8))
    }
}
