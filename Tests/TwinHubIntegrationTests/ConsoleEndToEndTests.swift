import RuleLanguage
import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// `twinhub console --plain` and `--json` end to end: the simulator, the twin service and the consoles are the
/// built `twinhub`, talking through a private broker, as a trainer would run them.
@Suite("twinhub console without a screen", .timeLimit(.minutes(1)))
struct ConsoleEndToEndTests {
    static let twins = SimulatorTests.root.appendingPathComponent("twins").path

    /// One CNC whose coolant pump fails a minute in (`coolant_loss` of `twins/cnc-machining-centre.yaml`): the
    /// coolant flow drops at once (`coolant_flow_low`, major) and the spindle heats up towards its trip at 95 °C
    /// (`spindle_overheat`: warning at 70 °C after ~10 min, major at 85, critical at 92 after ~17 min).
    static let scenarioYAML = """
        scenario: console_e2e
        enterprise: e2e
        setup_time: 0s
        sites: [{ id: site, areas: [{ id: area, lines: [{ id: line, machines: [
            { id: cnc, kind: cnc_machining_centre, random_faults: false, faults: [{ fault: coolant_loss, at: 1m }] }] }] }] }]
        """

    // MARK: Helpers

    /// Runs `body` with a private broker, the topics of `root` and a connected client, the probe retained.
    static func withBroker(root: String, _ body: (MosquittoBroker, TopicMap, MQTTClient) async throws -> Void) async throws {
        try await MosquittoBroker.withBroker { broker in
            let topics = try TopicMap(root: root)
            let client = try await connectedClient(broker.url)
            try await client.publish(to: probeTopic(topics), string: "probe", qos: .atLeastOnce, retain: true)
            try await body(broker, topics, client)
            await client.disconnect()
        }
    }

    /// An alert of machine `s/a/l/{machine}`, with the fields the console reads.
    static func alertJSON(rule: String = "r", machine: String = "m", severity: String = "major", message: String = "") -> String {
        #"{"site":"s","area":"a","line":"l","machine":"\#(machine)","rule":"\#(rule)","severity":"\#(severity)","status":"active_unacknowledged","active":true,"message":"\#(message)"}"#
    }

    /// A `raised` event of ``alertJSON(rule:machine:severity:message:)``, at 06:00:10 on the machine's clock.
    static func eventJSON(rule: String = "r", severity: String = "major", message: String = "") -> String {
        #"{"event":"raised","ts":"2026-03-02T06:00:10.000Z","alert":\#(alertJSON(rule: rule, severity: severity, message: message))}"#
    }

    /// A retained alert that cannot be read. A console reports it (on stderr) as soon as its subscriptions are in
    /// place, so the report is the sign that it listens; it prints no line for it.
    static func probeTopic(_ topics: TopicMap) -> String {
        topics.alert(AlertKey(machine: PlantPath(site: "probe", area: "probe", line: "probe", machine: "probe"), rule: "probe"))
    }

    /// Starts `twinhub console` on `topics`' root and returns once it listens: it has reported the probe (which
    /// the caller has published).
    static func console(_ broker: MosquittoBroker, _ topics: TopicMap, _ options: [String]) async throws -> ProcessRunner {
        let console = try ProcessRunner(["console", "--broker", broker.url, "--root", topics.root] + options)
        try await console.awaitStderr(containing: "unreadable message on \(probeTopic(topics)): ")
        return console
    }

    /// Starts `twinhub serve` with the shipped kinds and returns once it takes messages: it has refused a retained
    /// acknowledgement of an alert nobody has, which it can only do with its subscriptions in place.
    static func serve(_ broker: MosquittoBroker, _ topics: TopicMap, twins: String = ConsoleEndToEndTests.twins) async throws -> ProcessRunner {
        let client = try await connectedClient(broker.url)
        let refusals = try await client.subscribe(to: [topics.deadLetter(reason: "unknown_alert")])
        let probe = probeTopic(topics) + "/ack"
        try await client.publish(to: probe, string: #"{"by":"probe"}"#, qos: .atLeastOnce, retain: true)
        let serve = try ProcessRunner(["serve", "--root", topics.root, "--broker", broker.url, "--no-db", "--twins", twins])
        _ = try await AlertServiceTests.deadLetter(refusals, for: probe)
        await client.disconnect()
        return serve
    }

    /// The objects of NDJSON output, one a line.
    static func objects(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    /// An alert event as the console prints it, by either format.
    struct Printed: Hashable, CustomStringConvertible {
        var time: String
        var severity: String
        var event: String
        var machine: String
        var rule: String

        /// From a `--plain` line: `time SEVERITY event site/area/line/machine rule: message`.
        init(plain line: Substring) throws {
            let words = line.split(separator: " ")
            try #require(words.count >= 5 && words[4].hasSuffix(":"), "not a plain alert line: \(line)")
            (time, severity, event, machine, rule) = (String(words[0]), String(words[1]), String(words[2]), String(words[3]), String(words[4].dropLast()))
        }

        /// From a `--json` object: `{"event":…,"ts":…,"alert":{…}}`.
        init(json object: [String: Any]) throws {
            let alert = try #require(object["alert"] as? [String: Any], "no alert in \(object)")
            time = try #require(object["ts"] as? String)
            severity = try #require(alert["severity"] as? String).uppercased()
            event = try #require(object["event"] as? String)
            machine = try ["site", "area", "line", "machine"].map { try #require(alert[$0] as? String) }.joined(separator: "/")
            rule = try #require(alert["rule"] as? String)
        }

        var description: String { "\(event) \(rule) \(severity)" }
    }

    static func printed(plain output: String) throws -> [Printed] {
        try output.split(separator: "\n").map(Printed.init(plain:))
    }

    /// What is wrong with one alert's events, in the order they came (docs/rules.md): it is raised first; a
    /// severity change names the severity it leaves and goes the way its name says; nothing follows `closed`.
    static func lifecycleProblems(_ events: [[String: Any]]) -> [String] {
        var problems: [String] = []
        var current: Severity?
        var closed = false
        for event in events {
            let name = event["event"] as? String ?? "?"
            let severity = ((event["alert"] as? [String: Any])?["severity"] as? String).flatMap(Severity.init(rawValue:))
            if closed { problems.append("\(name) after closed") }
            if current == nil && name != "raised" { problems.append("\(name) before raised") }
            switch name {
            case "escalated", "deescalated":
                let previous = (event["previous_severity"] as? String).flatMap(Severity.init(rawValue:))
                if previous != current { problems.append("\(name) from \(previous?.rawValue ?? "none"), but it was \(current?.rawValue ?? "none")") }
                if let previous, let severity, (severity > previous) != (name == "escalated") {
                    problems.append("\(name) from \(previous) to \(severity)")
                }
            case "closed":
                closed = true
            case "raised", "acknowledged", "cleared":
                break
            default:
                problems.append("unknown event \(name)")
            }
            current = severity
        }
        return problems
    }

    // MARK: Tests

    @Test("--plain and --json print the simulated CNC's alerts as they are raised, in lifecycle order; a later console prints the open ones first")
    func simulatedFleet() async throws {
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("console-e2e-\(UUID().uuidString.prefix(8)).yaml")
        try Self.scenarioYAML.write(to: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scenario) }
        try await Self.withBroker(root: "e2e") { broker, topics, observer in
            let twin = topics.topic(.twin, for: PlantPath(site: "site", area: "area", line: "line", machine: "cnc"))
            let watched = try await observer.subscribe(to: [topics.alertEvents, twin])
            let serve = try await Self.serve(broker, topics)
            let plain = try await Self.console(broker, topics, ["--plain", "--count", "8"])
            let json = try await Self.console(broker, topics, ["--json", "--count", "8"])

            // 30 simulated minutes in about 1.5 s: the alerts above, then the spindle cools a little (critical → major).
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", Self.twins, "--speed", "1200", "--duration", "30m", "--seed", "7"])
            #expect(try await plain.exitStatus() == 0, "\(plain.stderr)")
            #expect(try await json.exitStatus() == 0, "\(json.stderr)")

            let lines = try Self.printed(plain: plain.stdout)
            let objects = try Self.objects(json.stdout)
            #expect(lines.count == 8, "\(plain.stdout)")
            #expect(try objects.map(Printed.init(json:)) == lines, "both formats print the same events in the same order, with the event's time")
            #expect(lines.allSatisfy { $0.machine == "site/area/line/cnc" })

            let coolant = try #require(lines.first { $0.rule == "coolant_flow_low" }, "\(lines)")
            #expect(coolant.event == "raised")
            #expect(coolant.severity == "MAJOR")
            #expect(plain.stdout.contains("\(coolant.time) MAJOR    raised       site/area/line/cnc coolant_flow_low: coolant_flow "), "padded columns: \(plain.stdout)")
            let overheat = lines.filter { $0.rule == "spindle_overheat" }.map { "\($0.event) \($0.severity)" }
            #expect(overheat == ["raised WARNING", "escalated MAJOR", "escalated CRITICAL"], "the spindle heats up through the levels: \(lines)")
            #expect(plain.stdout.contains("spindle_overheat: Spindle at 85"), "the rule's message, rendered: \(plain.stdout)")
            #expect(plain.stdout.contains("(major → critical)"))

            for object in objects {
                #expect((object["ts"] as? String).flatMap(ISO8601Parsing.date) != nil, "\(object)")
                let alert = object["alert"] as? [String: Any]
                #expect((alert?["severity"] as? String).flatMap(Severity.init(rawValue:)) != nil, "\(object)")
                #expect(alert?["id"] as? String == "site/area/line/cnc/\(alert?["rule"] as? String ?? "?")")
            }
            for (id, events) in Dictionary(grouping: objects, by: { ($0["alert"] as? [String: Any])?["id"] as? String ?? "" }) {
                #expect(Self.lifecycleProblems(events).isEmpty, "\(id): \(Self.lifecycleProblems(events))")
            }

            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            // The service publishes the twin after the alert events of the samples before it; once the twin says
            // the simulator has stopped, every event is out and the alerts left open are retained.
            let seen = try await within(.seconds(15), "the twin of cnc offline") {
                var messages: [MQTTMessage] = []
                for await message in watched {
                    messages.append(message)
                    let connectivity = (try? SimulatorTests.json(message))?["connectivity"] as? [String: Any]
                    if message.topic == twin, connectivity?["status"] as? String == "offline" { return messages }
                }
                throw TimedOut(what: "the twin of cnc offline (the subscription ended)")
            }
            let events = try seen.filter { $0.topic == topics.alertEvents }.map(SimulatorTests.json)
            #expect(events.count >= 8)
            let last = Dictionary(events.compactMap { event in (event["alert"] as? [String: Any]).map { ($0["id"] as? String ?? "", $0) } }) { _, later in later }
            let open = last.values.filter { $0["status"] as? String != "closed" }
            #expect(Set(open.compactMap { $0["rule"] as? String }).isSuperset(of: ["coolant_flow_low", "spindle_overheat"]))
            let expected = Set(open.map { "open \($0["rule"] as? String ?? "") \(($0["severity"] as? String ?? "").uppercased())" })

            // A console started now prints each open alert first, as `open`, from its retained topic.
            let count = ["--count", "\(open.count)"]
            let later = try await Self.console(broker, topics, ["--plain"] + count)
            let laterJSON = try await Self.console(broker, topics, ["--json"] + count)
            let noTerminal = try await Self.console(broker, topics, count)
            for console in [later, laterJSON, noTerminal] { #expect(try await console.exitStatus() == 0, "\(console.stderr)") }
            #expect(Set(try Self.printed(plain: later.stdout).map(\.description)) == expected, "\(later.stdout)")
            #expect(Set(try Self.printed(plain: noTerminal.stdout).map(\.description)) == expected, "without a terminal it prints --plain lines: \(noTerminal.stdout)")
            for alert in open where alert["active"] as? Bool == false {
                #expect(later.stdout.contains("\(alert["rule"] as? String ?? ""): cleared: "), "an open alert that has cleared says so: \(later.stdout)")
            }
            let openObjects = try Self.objects(laterJSON.stdout)
            #expect(Set(try openObjects.map { try Printed(json: $0).description }) == expected, "\(laterJSON.stdout)")
            for object in openObjects {
                let alert = try #require(object["alert"] as? [String: Any])
                #expect(object["event"] as? String == "open")
                #expect((object["ts"] as? String).flatMap(ISO8601Parsing.date) != nil, "\(object)")
                #expect(alert["status"] as? String == last[alert["id"] as? String ?? ""]?["status"] as? String, "the retained alert as its last event left it")
            }

            serve.kill(SIGTERM)
            _ = try await serve.exitStatus()
        }
    }

    @Test("Unreadable messages on the event and alert topics are reported with topic and reason, counted, and the stream goes on")
    func unreadableMessages() async throws {
        try await Self.withBroker(root: "bad") { broker, topics, publisher in
            let console = try await Self.console(broker, topics, ["--plain", "--count", "1"])
            #expect(console.stderr.contains("twinhub console: unreadable message on \(Self.probeTopic(topics)): malformed_json"), "a retained alert: \(console.stderr)")

            let alertTopic = topics.alert(AlertKey(machine: PlantPath(site: "s", area: "a", line: "l", machine: "m"), rule: "r"))
            let unreadable: [(topic: String, payload: [UInt8], reason: String)] = [
                (topics.alertEvents, Array("{not json".utf8), "malformed_json"),
                (topics.alertEvents, [0xff, 0xfe, 0x00], "malformed_json"),
                (topics.alertEvents, Array(#"{"event":"raised"}"#.utf8), #"missing_field: missing "ts""#),
                (topics.alertEvents, Array(#"{"event":"raised","ts":"2026-03-02T06:00:10Z","alert":[1]}"#.utf8), "wrong_type"),
                (topics.alertEvents, Array(Self.eventJSON(severity: "bogus").utf8), "invalid_value: unknown severity 'bogus'"),
                (alertTopic, Array(Self.alertJSON(machine: "other").utf8), "invalid_value: the alert is s/a/l/other/r"),
            ]
            for message in unreadable {
                try await publisher.publish(to: message.topic, payload: message.payload, qos: .atLeastOnce)
                try await console.awaitStderr(containing: "unreadable message on \(message.topic): \(message.reason)")
            }
            try await publisher.publish(to: topics.alertEvents, string: Self.eventJSON(message: "Spindle at 97.4 °C"), qos: .atLeastOnce)
            #expect(try await console.exitStatus() == 0, "still running after the unreadable messages: \(console.stderr)")
            #expect(console.stdout == "2026-03-02T06:00:10.000Z MAJOR    raised       s/a/l/m r: Spindle at 97.4 °C\n")
            #expect(console.stderr.contains("\(unreadable.count + 1) unreadable messages"), "counted in the closing summary: \(console.stderr)")
        }
    }

    /// The console subscribes before it connects, so the events a resumed session delivers right after the
    /// CONNACK are not dropped as unrouted.
    @Test("A console restarted with the same --client-id resumes its session and prints the events queued while it was away")
    func resumedSession() async throws {
        try await Self.withBroker(root: "resume") { broker, topics, publisher in
            let options = ["--plain", "--count", "1", "--client-id", uniqueClientID("console")]
            let first = try await Self.console(broker, topics, options)
            try await publisher.publish(to: topics.alertEvents, string: Self.eventJSON(rule: "before"), qos: .atLeastOnce)
            #expect(try await first.exitStatus() == 0)
            #expect(first.stdout.contains("s/a/l/m before: "), "\(first.stdout)")

            // The console is away; its session (kept 300 s) queues this QoS 1 event.
            try await publisher.publish(to: topics.alertEvents, string: Self.eventJSON(rule: "while_away"), qos: .atLeastOnce)
            // Not `Self.console`: a resumed session need not send the retained probe again. The queued event is
            // the first line; 5 s only bound the failure.
            let second = try ProcessRunner(["console", "--broker", broker.url, "--root", topics.root, "--log-level", "info"] + options)
            try await second.awaitStderr(containing: "session_present=true")
            _ = try? await second.exitStatus(within: .seconds(5))
            #expect(second.stdout.contains("s/a/l/m while_away: "), "the event queued in the session is printed; it printed: '\(second.stdout)'")
        }
    }
}
