import Foundation
import SparkplugB
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// `twinhub sim --protocol sparkplug|both` and `twinhub serve --sparkplug` as a user runs them, on a real broker.
@Suite("Sparkplug B end to end", .timeLimit(.minutes(2)))
struct SparkplugEndToEndTests {
    /// What two twins must agree on.
    struct TwinSummary: Sendable, Equatable, CustomStringConvertible {
        var kind: String
        var reported: [String: Double]
        var counters: [String: Int]
        var connectivity: String
        var reason: String
        /// The newest sample time among the reported values (the machine's clock).
        var latest: Date?

        var description: String { "\(kind) \(connectivity) (\(reason)) counters \(counters) reported \(reported.sorted { $0.key < $1.key })" }

        init(_ json: [String: Any]) {
            kind = json["kind"] as? String ?? ""
            let reported = json["reported"] as? [String: [String: Any]] ?? [:]
            self.reported = reported.compactMapValues { $0["value"] as? Double }
            latest = reported.values.compactMap { ($0["ts"] as? String).flatMap(ISO8601Parsing.date) }.max()
            counters = (json["counters"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
            let connectivity = json["connectivity"] as? [String: Any] ?? [:]
            self.connectivity = connectivity["status"] as? String ?? ""
            reason = connectivity["reason"] as? String ?? ""
        }
    }

    static let cell = PlantPath(site: "site", area: "area", line: "line")

    static func machine(_ id: String) -> PlantPath { PlantPath(site: "site", area: "area", line: "line", machine: id) }

    /// The twin of `machine` under `topics` once it satisfies `condition`.
    static func twin(_ observer: MQTTClient, _ topics: TopicMap, _ machine: PlantPath, within limit: Duration = .seconds(30),
                     _ what: String, where condition: @escaping @Sendable (TwinSummary) -> Bool) async throws -> TwinSummary {
        let twins = try await observer.subscribe(to: [topics.topic(.twin, for: machine)])
        defer { twins.cancel() }
        return try await within(limit, "\(what): the twin of \(machine) under \(topics.root)") {
            for await message in twins {
                guard let json = try? SimulatorTests.json(message) else { continue }
                let summary = TwinSummary(json)
                if condition(summary) { return summary }
            }
            throw TimedOut(what: "the twins ended")
        }
    }

    /// A twin service that is a Sparkplug host `hostID` under `root`, once its STATE says online.
    static func host(_ broker: MosquittoBroker, _ observer: MQTTClient, root: String, hostID: String) async throws -> ProcessRunner {
        let state = try await observer.subscribe(to: ["spBv1.0/STATE/\(hostID)"])
        defer { state.cancel() }
        let serve = try ProcessRunner(["serve", "--root", root, "--host-id", hostID, "--broker", broker.url, "--no-db",
                                       "--twins", ConsoleEndToEndTests.twins])
        _ = try await within(.seconds(20), "the host's STATE online") {
            for await message in state where String(decoding: message.payload, as: UTF8.self).contains(#""online":true"#) { return true }
            throw TimedOut(what: "the STATE subscription ended")
        }
        return serve
    }

    static func scenario(_ enterprise: String, in folder: URL) throws -> URL {
        try TestScenario.write(TestScenario.cnc(enterprise: enterprise, machines: ["m1", "m2"]), named: enterprise, in: folder)
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spb-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("A fleet publishing both ways gives the Sparkplug host the same twins as the JSON service: kind, every value, counters; its end takes them offline")
    func sameTwinsAsJSON() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario("spbboth", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "spbboth") { broker, topics, observer in
            let json = try await ConsoleEndToEndTests.serve(broker, topics)
            let hostTopics = try TopicMap(root: "spbhost")
            let host = try await Self.host(broker, observer, root: hostTopics.root, hostID: "itest")
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", ConsoleEndToEndTests.twins,
                                         "--protocol", "both", "--speed", "60", "--duration", "6m"])
            #expect(try await sim.exitStatus(within: .seconds(60)) == 0, "\(sim.stderr)")
            for id in ["m1", "m2"] {
                let fromJSON = try await Self.twin(observer, topics, Self.machine(id), "offline") { $0.connectivity == "offline" }
                let fromSparkplug = try await Self.twin(observer, hostTopics, Self.machine(id), "offline") { $0.connectivity == "offline" }
                #expect(fromSparkplug.kind == "cnc_machining_centre")
                #expect(fromSparkplug.reported == fromJSON.reported, "\(fromSparkplug) against \(fromJSON)")
                #expect(fromSparkplug.reported.keys.contains("spindle_speed"))
                #expect(fromSparkplug.counters == fromJSON.counters)
                #expect((fromSparkplug.counters["total"] ?? 0) > 0, "six minutes of a CNC make parts")
                #expect(fromSparkplug.reason == "NDEATH of its edge node", "\(fromSparkplug)")
            }
            for service in [json, host] {
                service.kill(SIGTERM)
                #expect(try await service.exitStatus() == 0, "\(service.stderr)")
            }
        }
    }

    @Test("A host started after the births asks for a rebirth and gets its twins; a desired state reaches the machine as a DCMD")
    func rebirthAndCommand() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario("spblate", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "spblate") { broker, topics, observer in
            let births = try await observer.subscribe(to: ["spBv1.0/site/NBIRTH/+"])
            let data = try await observer.subscribe(to: ["spBv1.0/site/DDATA/+/+"])
            let rebirths = try await observer.subscribe(to: ["spBv1.0/site/NCMD/+"])
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", ConsoleEndToEndTests.twins,
                                         "--protocol", "sparkplug", "--speed", "30", "--duration", "60m"])
            _ = try await births.next(1, within: .seconds(20))
            _ = try await data.next(2, within: .seconds(20))
            let hostTopics = try TopicMap(root: "spblatehost")
            let host = try await Self.host(broker, observer, root: hostTopics.root, hostID: "late")
            // The host hears data of a node it saw no birth of: it asks for a rebirth, and the node is born again.
            let request = try #require(try await rebirths.next(1, within: .seconds(20)).first)
            #expect(request.topic == "spBv1.0/site/NCMD/area:line")
            let command = try SparkplugPayload(decoding: request.payload, as: .ncmd) { _, _ in .boolean }
            #expect(command.isRebirthRequest)
            let rebirth = try #require(try await births.next(1, within: .seconds(20)).first)
            #expect(try SparkplugPayload(decoding: rebirth.payload, as: .nbirth).birthDeathSequence(.nbirth) == 0, "a rebirth keeps the bdSeq")
            let twin = try await Self.twin(observer, hostTopics, Self.machine("m1"), "online with its values") {
                $0.connectivity == "online" && $0.reported["spindle_speed"] != nil
            }
            #expect(twin.kind == "cnc_machining_centre")

            // A desired state: the service sends Command/Stop as a DCMD, the simulated machine obeys.
            let commands = try await observer.subscribe(to: ["spBv1.0/site/DCMD/area:line/m1"])
            try await observer.publish(to: hostTopics.topic(.desired, for: Self.machine("m1")), string: #"{"state":"stopped"}"#, qos: .atLeastOnce)
            let dcmd = try #require(try await commands.next(1, within: .seconds(20)).first)
            let written = try SparkplugPayload(decoding: dcmd.payload, as: .dcmd) { _, _ in .boolean }
            #expect(written.metrics.map(\.name) == ["Command/Stop"])
            let states = try await observer.subscribe(to: [hostTopics.topic(.twin, for: Self.machine("m1"))])
            _ = try await within(.seconds(30), "m1 stopped") {
                for await message in states {
                    let state = (try? SimulatorTests.json(message))?["state"] as? [String: Any]
                    if state?["value"] as? String == "stopped" { return true }
                }
                throw TimedOut(what: "the twins ended")
            }
            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            #expect(sim.stdout.contains("1 commands applied"), "\(sim.stdout)")
            host.kill(SIGTERM)
            #expect(try await host.exitStatus() == 0, "\(host.stderr)")
        }
    }

    @Test("After the broker is killed and restarted an edge node connects again with bdSeq one more, and the host follows it")
    func brokerRestart() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario("spbkill", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "spbkill") { broker, topics, observer in
            let hostTopics = try TopicMap(root: "spbkillhost")
            let host = try await Self.host(broker, observer, root: hostTopics.root, hostID: "kill")
            let probe = "itest/probe"
            let births = try await observer.subscribe(to: ["spBv1.0/site/NBIRTH/+", probe])
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", ConsoleEndToEndTests.twins,
                                         "--protocol", "sparkplug", "--speed", "30", "--duration", "60m"])
            let first = try #require(try await births.next(1, within: .seconds(20)).first)
            #expect(try SparkplugPayload(decoding: first.payload, as: .nbirth).birthDeathSequence(.nbirth) == 0)
            _ = try await Self.twin(observer, hostTopics, Self.machine("m2"), "online") { $0.connectivity == "online" && !$0.reported.isEmpty }
            try await broker.restart()
            // The node's new birth may come before this observer has subscribed again: once it has (its probe comes
            // back), ask for a rebirth, which keeps the new session's bdSeq.
            let observed = try await within(.seconds(30), "the observer subscribed again") { () -> SparkplugPayload? in
                while true {
                    try? await observer.publish(to: probe, string: "probe", qos: .atLeastOnce)
                    guard let message = try? await births.next(1, within: .seconds(2)).first else { continue }
                    if message.topic != probe { return try SparkplugPayload(decoding: message.payload, as: .nbirth) }
                    return nil
                }
            }
            let rebirth = SparkplugPayload.rebirthRequest(timestamp: 1).encoded()
            try await observer.publish(to: "spBv1.0/site/NCMD/area:line", payload: rebirth, qos: .atLeastOnce)
            var second = observed
            if second == nil {
                second = try await within(.seconds(30), "an NBIRTH after the restart") {
                    for await message in births where message.topic != probe { return try SparkplugPayload(decoding: message.payload, as: .nbirth) }
                    throw TimedOut(what: "the births ended")
                }
            }
            let birth = try #require(second)
            #expect(try birth.birthDeathSequence(.nbirth) == 1)
            // The host follows the new session: its twin takes samples newer than the new birth.
            let born = Date(timeIntervalSince1970: Double(birth.timestamp ?? 0) / 1000)
            _ = try await Self.twin(observer, hostTopics, Self.machine("m2"), "samples after the new birth") { ($0.latest ?? .distantPast) > born }
            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            host.kill(SIGTERM)
            #expect(try await host.exitStatus() == 0, "\(host.stderr)")
        }
    }

    @Test("Bad Sparkplug payloads and topics go to the dead-letter topic with their reason; the host goes on")
    func refusals() async throws {
        try await ConsoleEndToEndTests.withBroker(root: "spbbad") { broker, topics, observer in
            let host = try await Self.host(broker, observer, root: topics.root, hostID: "bad")
            let letters = try await observer.subscribe(to: [topics.deadLetter(reason: "+")])
            try await observer.publish(to: "spBv1.0/site/DDATA/area:line/m1", payload: [0xFF, 0x01, 0x02], qos: .atLeastOnce)
            try await observer.publish(to: "spBv1.0/site/NBIRTH/area:line", payload: SparkplugPayload.data(seq: 0, timestamp: 1, metrics: []).encoded(),
                                       qos: .atLeastOnce)
            let received = try await letters.next(2, within: .seconds(20))
            let reasons = try received.map { try SimulatorTests.json($0)["reason"] as? String }
            #expect(reasons == ["sparkplug_malformed_payload", "sparkplug_missing_field"], "\(received.map { String(decoding: $0.payload, as: UTF8.self) })")
            let first = try SimulatorTests.json(try #require(received.first))
            #expect(first["topic"] as? String == "spBv1.0/site/DDATA/area:line/m1")
            let metrics = try await observer.subscribe(to: [topics.serviceMetrics])
            _ = try await within(.seconds(20), "the refusals in the metrics") {
                for await message in metrics {
                    let refusals = (try? SimulatorTests.json(message))?["refusals"] as? [String: Int]
                    if refusals?["sparkplug_malformed_payload"] == 1 && refusals?["sparkplug_missing_field"] == 1 { return true }
                }
                throw TimedOut(what: "the metrics ended")
            }
            host.kill(SIGTERM)
            #expect(try await host.exitStatus() == 0, "\(host.stderr)")
        }
    }

    @Test("An edge node TwinHub did not write (pysparkplug) gets generic twins of its device and of itself, values by alias, texts left out")
    func foreignEdgeNode() async throws {
        try await ConsoleEndToEndTests.withBroker(root: "spbforeign") { broker, topics, observer in
            let host = try await Self.host(broker, observer, root: topics.root, hostID: "foreign")
            let script = OpenAPIContract.root.appendingPathComponent("Tests/Sparkplug/foreign_edge_node.py").path
            let (ended, output) = try await runTool("/usr/bin/env", ["python3", script, "127.0.0.1", "\(broker.port)"])
            #expect(ended == .exited(0), "\(output)")
            let press = PlantPath(site: "PlantA", area: "PLC7", line: "PLC7", machine: "Press")
            let twin = try await Self.twin(observer, topics, press, "the last pressure") { $0.reported["Pressure"] == 15 }
            #expect(twin.reported == ["Pressure": 15, "Running": 1], "the text metric Recipe is no property: \(twin)")
            let node = PlantPath(site: "PlantA", area: "PLC7", line: "PLC7", machine: "PLC7")
            let nodeTwin = try await Self.twin(observer, topics, node, "the node's own metric") { $0.reported["Uptime"] != nil }
            #expect(nodeTwin.reported == ["Uptime": 1])
            host.kill(SIGTERM)
            #expect(try await host.exitStatus() == 0, "\(host.stderr)")
        }
    }

    @Test("With a primary host, edge nodes are born only once its STATE says online, and leave with their NDEATH when it goes offline")
    func primaryHost() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario("spbprimary", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "spbprimary") { broker, topics, observer in
            let marker = "itest/marker"
            let seen = try await observer.subscribe(to: ["spBv1.0/site/NBIRTH/+", "spBv1.0/site/NDEATH/+", marker])
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", ConsoleEndToEndTests.twins, "--log-level", "info",
                                         "--protocol", "sparkplug", "--primary-host", "scada", "--speed", "30", "--duration", "60m"])
            try await sim.awaitStderr(containing: "fleet connected")
            // Connected, and no birth before this marker: a node without its host would have published it at connect.
            try await observer.publish(to: marker, string: "after connect", qos: .atLeastOnce)
            #expect(try await seen.next(1).map(\.topic) == [marker])

            let state = "spBv1.0/STATE/scada"
            try await observer.publish(to: state, string: #"{"online":true,"timestamp":1000}"#, qos: .atLeastOnce, retain: true)
            let birth = try #require(try await seen.next(1, within: .seconds(20)).first)
            #expect(birth.topic == "spBv1.0/site/NBIRTH/area:line")
            #expect(try SparkplugPayload(decoding: birth.payload, as: .nbirth).birthDeathSequence(.nbirth) == 0)

            try await observer.publish(to: state, string: #"{"online":false,"timestamp":2000}"#, qos: .atLeastOnce, retain: true)
            let death = try #require(try await seen.next(1, within: .seconds(20)).first)
            #expect(death.topic == "spBv1.0/site/NDEATH/area:line")
            #expect(try SparkplugPayload(decoding: death.payload, as: .ndeath).birthDeathSequence(.ndeath) == 0)

            // It connects again and waits for the host; once it is back, a new session is born.
            try await observer.publish(to: state, string: #"{"online":true,"timestamp":3000}"#, qos: .atLeastOnce, retain: true)
            let again = try #require(try await seen.next(1, within: .seconds(20)).first)
            #expect(again.topic == "spBv1.0/site/NBIRTH/area:line")
            #expect(try SparkplugPayload(decoding: again.payload, as: .nbirth).birthDeathSequence(.nbirth) == 1)
            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
        }
    }

    @Test("Faults injected by DCMD: rules raise an alert on the Sparkplug twin; a network loss is a DDEATH, its end a DBIRTH")
    func faultsByCommand() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario("spbfault", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "spbfault") { broker, topics, observer in
            let hostTopics = try TopicMap(root: "spbfaulthost")
            let host = try await Self.host(broker, observer, root: hostTopics.root, hostID: "fault")
            let events = try await observer.subscribe(to: [hostTopics.alertEvents])
            let deaths = try await observer.subscribe(to: ["spBv1.0/site/DDEATH/area:line/m1", "spBv1.0/site/DBIRTH/area:line/m1"])
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", ConsoleEndToEndTests.twins,
                                         "--protocol", "sparkplug", "--speed", "60", "--duration", "60m"])
            _ = try await Self.twin(observer, hostTopics, Self.machine("m1"), "running") { $0.connectivity == "online" && ($0.reported["spindle_speed"] ?? 0) > 1000 }
            _ = try await deaths.next(1)  // the first DBIRTH
            func write(_ fault: String) async throws {
                let payload = SparkplugPayload.command(timestamp: 1, metrics: [SparkplugMetric(name: "Command/Inject Fault", value: .string(fault))])
                try await observer.publish(to: "spBv1.0/site/DCMD/area:line/m1", payload: payload.encoded(), qos: .atLeastOnce)
            }
            try await write("coolant_loss")
            let raised = try await within(.seconds(30), "coolant_flow_low raised on m1") { () -> String in
                for await message in events {
                    guard let json = try? SimulatorTests.json(message), json["event"] as? String == "raised",
                          let alert = json["alert"] as? [String: Any], let id = alert["id"] as? String, id.hasPrefix("site/area/line/m1/") else { continue }
                    return id
                }
                throw TimedOut(what: "the events ended")
            }
            #expect(raised == "site/area/line/m1/coolant_flow_low")

            try await write("network_loss")
            let lost = try await deaths.next(2, within: .seconds(30)).map(\.topic)
            #expect(lost == ["spBv1.0/site/DDEATH/area:line/m1", "spBv1.0/site/DBIRTH/area:line/m1"], "gone, then back after its 2 simulated minutes")
            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            #expect(sim.stdout.contains("2 commands applied"), "\(sim.stdout)")
            host.kill(SIGTERM)
            #expect(try await host.exitStatus() == 0, "\(host.stderr)")
        }
    }
}
