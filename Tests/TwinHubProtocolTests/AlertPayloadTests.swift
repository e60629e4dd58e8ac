import Foundation
import Rules
import Testing
import TwinModel
import Twins
import TwinHubProtocol

/// Alerts, their events and counts, and acknowledgements, against their schemas: a probe machine's rules driven
/// through every step of the lifecycle by the twin service's rules engine, acknowledged from the console.
@Suite("Alert messages match their schemas")
struct AlertPayloadTests {
    /// A kind with a three-level threshold, an unlatched expression and a single-level threshold.
    static func probe() throws -> MachineKind {
        try KindLoader.load(yaml: """
            kind: probe
            sample_interval: 1s
            properties:
              temp: { unit: °C, normal: [0, 80], limits: [-50, 200], decimals: 1 }
              load: { unit: "%", normal: [0, 100], limits: [0, 150] }
              flow: { unit: l/min, normal: [10, 30], limits: [0, 40] }
            rules:
              - { id: hot, threshold: { property: temp, above: { warning: 70, major: 80, critical: 90 }, hysteresis: 2 } }
              - { id: strain, expression: "load > 120", severity: major, latch: false, message: "load {load} %" }
              - { id: dry, description: Too little coolant., threshold: { property: flow, below: 10 }, severity: minor }
            """, file: "probe.yaml")
    }

    @Test("Every event of the lifecycle, the alerts after them, their counts and the console's acknowledgements validate")
    func lifecycle() throws {
        let validator = try Repository.validator()
        let kind = try Self.probe()
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: ["probe": kind], rules: RuleBook(kinds: ["probe": kind])))
        feed.kind = "probe"
        var trainer = Trainer(topics: feed.topics, kinds: ["probe": kind])
        var published: [ServiceHarness.Publication] = []
        var second = 0
        func send(_ values: [(String, Double, String)]) {
            second += 1
            feed.telemetry(values, at: Self.clock(second))
            deliver()
        }
        func deliver() {
            for publication in feed.service.takePublished() {
                published.append(publication)
                #expect(trainer.read(publication) == nil, "the console reads \(publication.topic)")
            }
        }
        func acknowledge(_ comment: String) {
            second += 1
            let sent = trainer.acknowledgeFirstAlert(comment: comment, at: Self.time(second))
            #expect(sent.count == 1, "one acknowledgement sent")
            for message in sent {
                validator.expectValid(message.payload, .alertAck, comment)
                feed.service.receive(message.payload, on: message.topic, at: Self.time(second))
            }
            deliver()
        }
        func tick() {
            second += 1
            feed.service.tick(at: Self.time(second))
            deliver()
        }

        send([("temp", 75, "°C"), ("load", 50, "%"), ("flow", 20, "l/min")])  // raised, warning
        tick()
        send([("temp", 85, "°C")])                                           // escalated to major
        acknowledge("checking the coolant")                                  // acknowledged
        send([("temp", 75, "°C")])                                           // deescalated, still acknowledged
        send([("temp", 95, "°C")])                                           // escalated to critical: unacknowledged again
        send([("temp", 60, "°C")])                                           // cleared, waits (latched)
        tick()
        send([("temp", 95, "°C")])                                           // raised again, count 2
        send([("temp", 60, "°C")])                                           // cleared
        acknowledge("")                                                      // acknowledged, closed
        send([("load", 130, "%")])                                           // strain raised (an expression)
        send([("load", 100, "%")])                                           // cleared, closed (unlatched)
        send([("temp", 75, "°C"), ("flow", 5, "l/min")])                    // hot and dry raised
        acknowledge("flow checked")
        acknowledge("on it")
        send([("temp", 60, "°C"), ("flow", 20, "l/min")])                   // both cleared and closed, acknowledged
        tick()

        let events = published.filter { $0.schema == .alertEvent }
        let alerts = published.filter { $0.schema == .alert }
        let counts = published.filter { $0.schema == .alertCounts }
        for publication in events + counts + alerts where !publication.payload.isEmpty {
            validator.expectValid(publication.payload, publication.schema, publication.topic)
        }
        let shapes = events.compactMap { try? JSONReader.read($0.payload) }.map { event in
            "\(Self.text(event["event"])) \(Self.text(event["alert"]?["rule"])) \(Self.text(event["alert"]?["status"]))"
                + (event["previous_severity"].map { " from \(Self.text($0))" } ?? "")
        }
        #expect(shapes == [
            "raised hot active_unacknowledged",
            "escalated hot active_unacknowledged from warning",
            "acknowledged hot active_acknowledged",
            "deescalated hot active_acknowledged from major",
            "escalated hot active_unacknowledged from warning",
            "cleared hot cleared_unacknowledged",
            "raised hot active_unacknowledged",
            "cleared hot cleared_unacknowledged",
            "acknowledged hot closed",
            "closed hot closed",
            "raised strain active_unacknowledged",
            "cleared strain closed",
            "closed strain closed",
            "raised hot active_unacknowledged",
            "raised dry active_unacknowledged",
            "acknowledged dry active_acknowledged",  // the console lists the more severe first
            "acknowledged hot active_acknowledged",
            "cleared hot closed",
            "closed hot closed",
            "cleared dry closed",
            "closed dry closed",
        ])
        let reactivated = events.compactMap { try? JSONReader.read($0.payload) }.filter { $0["alert"]?["count"] == .number(2) }
        #expect(!reactivated.isEmpty, "a latched alert raised again counts 2")
        #expect(alerts.contains { $0.payload.isEmpty }, "a closed alert's retained topic is emptied")
        let strain = events.compactMap { try? JSONReader.read($0.payload) }.first { $0["alert"]?["rule"] == .string("strain") }
        #expect(strain?["alert"]?["explanation"]?["measure"] == nil && strain?["alert"]?["explanation"]?["threshold"] == nil,
                "an expression has no measure or threshold")
        let line = feed.topics.alertCounts(PlantPath(site: "leuven", area: "fabrication", line: "line-1"))
        let last = try counts.last { $0.topic == line }.map { try JSONReader.read($0.payload) }
        #expect(last?["active"] == .number(0) && last?["unacknowledged"] == .number(0), "zeros once the last alert closed")
        #expect(Set(counts.map(\.topic)) == [line, feed.topics.alertCounts(PlantPath(site: "leuven")), feed.topics.alertCounts(PlantPath(site: "leuven", area: "fabrication"))])
    }

    @Test("An alert whose rule no longer exists is closed without an acknowledgement; the event validates")
    func retired() throws {
        let validator = try Repository.validator()
        let kind = try Self.probe()
        let address = PlantPath(site: "leuven", area: "fabrication", line: "line-1", machine: "probe-01")
        var twin = Twin(address: address, kind: kind.interface)
        var rules = MachineRules(address: address, kind: "probe", rules: kind.rules)
        twin.apply(TelemetrySample(time: Self.time(1), sequence: 1, values: [.init(property: "flow", value: 5, unit: "l/min")]), received: Self.time(1))
        let raised = rules.evaluate(twin, trigger: .telemetry(["flow"]), wall: Self.time(1))
        #expect(raised.map(\.kind) == [.raised])
        var changed = MachineRules(address: address, kind: "probe", rules: kind.rules.filter { $0.id != "dry" })
        let closed = changed.restore(rules.saved, at: Self.time(2))
        #expect(closed.map(\.kind) == [.closed])
        for event in raised + closed {
            validator.expectValid(JSONCodec.alertEvent(event, time: Self.time(3)), .alertEvent, event.kind.rawValue)
            if event.alert.status != .closed { validator.expectValid(JSONCodec.alert(event.alert), .alert) }
        }
    }

    @Test("Acknowledgements: the console's, README's examples, and the limits the service holds them to")
    func acknowledgements() throws {
        let validator = try Repository.validator()
        for payload in [#"{"by":"ana","comment":"coolant line cleared"}"#, #"{"by":"ana"}"#, #"{"comment":"x"}"#, "{}"] {
            #expect(validator.refusals(payload, .alertAck) == [], "\(payload)")
            #expect(throws: Never.self) { try JSONCodec.decodeAcknowledgement(Array(payload.utf8)) }
        }
        let long = String(repeating: "b", count: 101)
        for payload in [#"{"by":"\#(long)"}"#, #"{"comment":"\#(String(repeating: "c", count: 1001))"}"#, #"{"by":"ana","extra":1}"#] {
            #expect(validator.refusals(payload, .alertAck) != [], "\(payload.prefix(40))")
        }
        #expect((try? JSONCodec.decodeAcknowledgement(Array(#"{"by":"\#(long)"}"#.utf8))) == nil)
    }

    /// `second` seconds after 06:00, as `HH:MM:SS`.
    static func clock(_ second: Int) -> String { String(format: "06:%02d:%02d", second / 60, second % 60) }

    static func time(_ second: Int) -> Date { at(clock(second)) }

    static func text(_ json: JSON?) -> String {
        if case .string(let text)? = json { text } else { "?" }
    }
}
