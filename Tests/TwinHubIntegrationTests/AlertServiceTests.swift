import Foundation
import Rules
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import Twins
import TwinService
import TwinHubProtocol
import TwinStorage
import TwinStorageSQLite

/// The alert lifecycle end to end: the test plays the machine itself (no simulator), so every alert comes
/// from telemetry it chose, on the machine's own clock. Its kind is written here, with one rule, so that
/// tuning the shipped kinds' rules cannot break these tests and nothing else raises an alert.
@Suite("Alerts over MQTT", .timeLimit(.minutes(1)))
struct AlertServiceTests {
    /// A spindle with the `spindle_overheat` rule of `twins/cnc-machining-centre.yaml`.
    static let kindYAML = """
        kind: test_mill
        properties:
          spindle_temperature:
            unit: °C
            normal: [18, 65]
            limits: [-20, 160]
            decimals: 1
            signal: { target: { default: 22 } }
        rules:
          - id: spindle_overheat
            name: Spindle overheating
            description: Coolant loss lets the spindle overheat.
            threshold: { property: spindle_temperature, above: { warning: 70, major: 85, critical: 92 }, hysteresis: 3 }
            for: 10s
            message: "Spindle at {value} {unit}, above {limit} {unit}"
        """
    static let topics = try! TopicMap(root: "itest")
    static let cnc = PlantPath(site: "site", area: "area", line: "line", machine: "cnc")
    /// The alert of the `spindle_overheat` rule (critical above 92 °C, `for: 10s`).
    static let alertTopic = topics.alert(AlertKey(machine: cnc, rule: "spindle_overheat"))
    static let ackTopic = topics.alertAcknowledgement(AlertKey(machine: cnc, rule: "spindle_overheat"))
    static let lineCounts = topics.alertCounts(PlantPath(site: "site", area: "area", line: "line"))
    /// A retained acknowledgement of an alert nobody has: the service refuses it as soon as it subscribes.
    static let probeTopic = topics.alertAcknowledgement(AlertKey(machine: PlantPath(site: "site", area: "area", line: "line", machine: "probe"), rule: "probe"))

    /// The machine, played by the test: spindle temperatures one second apart on the machine's clock, sent at once.
    struct PlayedMachine {
        /// 2026-03-02T06:00:00Z, the machine's clock at its first sample.
        static let start = Date(timeIntervalSince1970: 1_772_431_200)
        let client: MQTTClient
        private(set) var sequence: UInt64 = 0
        /// The machine's clock at the next sample.
        private(set) var clock = start

        init(_ broker: MosquittoBroker) async throws {
            client = try await connectedClient(broker.url)
        }

        /// Sends `count` samples, one machine second apart; returns the time of the last one.
        @discardableResult
        mutating func send(temperature: Double, samples count: Int) async throws -> Date {
            var last = clock
            for _ in 0..<count {
                sequence += 1
                let sample = TelemetrySample(time: clock, sequence: sequence,
                                             values: [.init(property: "spindle_temperature", value: temperature, unit: "°C")])
                try await client.publish(to: AlertServiceTests.topics.topic(.telemetry, for: AlertServiceTests.cnc),
                                         payload: JSONCodec.telemetry(sample, machine: "cnc", kind: "test_mill"), qos: .atLeastOnce)
                last = clock
                clock = clock.addingTimeInterval(1)
            }
            return last
        }

        /// 97.4 °C for 11 samples: 10 s of the machine's clock above the critical level raises `spindle_overheat`.
        /// - Returns: the time of the last sample, when the alert is raised.
        @discardableResult
        mutating func overheat() async throws -> Date {
            try await send(temperature: 97.4, samples: 11)
        }
    }

    /// Runs the twin service with the kinds' rules until `body` returns, then stops it and waits until it has.
    /// `body` starts once the service takes messages (it has refused the retained probe acknowledgement).
    static func withService(_ broker: MosquittoBroker, storage: (any TwinStorage)? = nil, _ body: () async throws -> Void) async throws {
        let kind = try KindLoader.load(yaml: kindYAML, file: "test-mill.yaml")
        let kinds = [kind.id: kind]
        var options = TwinService.Options(connection: try clientConfiguration(broker.url, clientID: "serve"), topics: topics, kinds: kinds.mapValues(\.interface))
        options.rules = RuleBook(kinds: kinds)
        options.storage = storage
        options.persistInterval = .milliseconds(200)
        let service = TwinService(options: options, logger: testLogger)

        // `run`'s `ready` follows the CONNACK and can come before the broker has taken the service's SUBSCRIBEs
        // (sent after it, in order). The acknowledgement filter is subscribed last, so once the retained probe
        // has been refused every machine topic is in place and no telemetry of the test can be missed.
        let probe = try await connectedClient(broker.url)
        let refusals = try await probe.subscribe(to: [topics.deadLetter(reason: "unknown_alert")])
        try await probe.publish(to: probeTopic, string: #"{"by":"probe"}"#, qos: .atLeastOnce, retain: true)

        let serving = Task { try await service.run() }
        do {
            try await within(.seconds(10), "the service to refuse the probe acknowledgement") {
                for await letter in refusals where (try? json(letter))?["topic"] as? String == probeTopic { return }
                throw TimedOut(what: "the probe's refusal (the subscription ended)")
            }
            await probe.disconnect()
            try await body()
        } catch {
            serving.cancel()
            _ = try? await serving.value
            throw error
        }
        serving.cancel()
        try await serving.value
    }

    static func json(_ message: MQTTMessage) throws -> [String: Any] { try SimulatorTests.json(message) }

    /// The next event of the stream.
    static func nextEvent(_ events: MQTTSubscription) async throws -> [String: Any] {
        try json(try await events.next()[0])
    }

    /// The first message of `subscription` that `predicate` accepts (the others are skipped).
    static func first(_ subscription: MQTTSubscription, _ what: String, where predicate: @escaping @Sendable (MQTTMessage) -> Bool) async throws -> MQTTMessage {
        try await within(.seconds(10), what) {
            for await message in subscription where predicate(message) { return message }
            throw TimedOut(what: "\(what) (the subscription ended)")
        }
    }

    /// The counts of the line once `active` and `unacknowledged` are as given.
    static func counts(_ subscription: MQTTSubscription, active: Int, unacknowledged: Int) async throws -> [String: Any] {
        try json(try await first(subscription, "line counts of \(active) active, \(unacknowledged) unacknowledged") { message in
            guard let counts = try? json(message) else { return false }
            return counts["active"] as? Int == active && counts["unacknowledged"] as? Int == unacknowledged
        })
    }

    /// The dead letter of a message published on `topic`.
    static func deadLetter(_ letters: MQTTSubscription, for topic: String) async throws -> MQTTMessage {
        try await first(letters, "a dead letter for \(topic)") { (try? json($0))?["topic"] as? String == topic }
    }

    static func acknowledge(_ client: MQTTClient, topic: String = ackTopic, _ payload: String) async throws {
        try await client.publish(to: topic, string: payload, qos: .atLeastOnce)
    }

    // MARK: Tests

    @Test("10 s above the critical level raise a retained alert, a raised event and a line count, with the values read")
    func raise() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])
            let alerts = try await observer.subscribe(to: [Self.alertTopic])
            let counts = try await observer.subscribe(to: [Self.lineCounts])
            try await Self.withService(broker) {
                var machine = try await PlayedMachine(broker)
                let raisedAt = try await machine.overheat()

                let event = try await Self.nextEvent(events)
                #expect(event["event"] as? String == "raised")
                #expect(event["previous_severity"] == nil)
                let alert = try #require(event["alert"] as? [String: Any])
                #expect(alert["id"] as? String == "site/area/line/cnc/spindle_overheat")
                #expect(alert["severity"] as? String == "critical", "97.4 °C is above the critical 92 °C")
                #expect(alert["status"] as? String == "active_unacknowledged")
                #expect(alert["active"] as? Bool == true)
                #expect(alert["acknowledged"] as? Bool == false)
                #expect(alert["count"] as? Int == 1)
                #expect(alert["first_seen"] as? String == ISO8601Parsing.string(raisedAt), "raised at the 11th sample: `for: 10s` of the machine's clock")
                #expect(alert["first_seen"] as? String == ISO8601Parsing.string(PlayedMachine.start.addingTimeInterval(10)))
                #expect(alert["message"] as? String == "Spindle at 97.4 °C, above 92 °C")
                let explanation = try #require(alert["explanation"] as? [String: Any])
                #expect((explanation["condition"] as? String)?.hasPrefix("spindle_temperature above warning 70, major 85, critical 92") == true)
                #expect((explanation["values"] as? [String: Any])?["spindle_temperature"] as? Double == 97.4)
                #expect(explanation["measure"] as? Double == 97.4)
                #expect(explanation["threshold"] as? Double == 92)
                #expect(alert["acknowledgement"] == nil)

                let line = try await Self.counts(counts, active: 1, unacknowledged: 1)
                #expect((line["by_severity"] as? [String: Any])?["critical"] as? Int == 1)
                #expect((line["by_severity"] as? [String: Any])?["warning"] as? Int == 0)
                #expect(line["line"] as? String == "line")

                // Once the alert has reached a subscriber the broker has kept it: a late subscriber gets it retained.
                let live = try Self.json(try await alerts.next()[0])
                #expect(live["status"] as? String == "active_unacknowledged")
                let late = try await connectedClient(broker.url)
                let retained = try #require(try await late.subscribe(to: [Self.alertTopic]).next().first)
                #expect(retained.retain, "the alert is kept by the broker for late subscribers")
                let kept = try Self.json(retained)
                #expect(kept["status"] as? String == "active_unacknowledged")
                #expect(kept["severity"] as? String == "critical")
                #expect(kept["message"] as? String == "Spindle at 97.4 °C, above 92 °C")
                #expect(kept["first_seen"] as? String == alert["first_seen"] as? String)
                await late.disconnect()
                await machine.client.disconnect()
            }
            await observer.disconnect()
        }
    }

    @Test("An acknowledgement over MQTT is applied once; a second one, one for an unknown rule and a bad one are dead letters")
    func acknowledge() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])
            let alerts = try await observer.subscribe(to: [Self.alertTopic])
            let counts = try await observer.subscribe(to: [Self.lineCounts])
            let letters = try await observer.subscribe(to: [Self.topics.deadLetter(reason: "#")])
            try await Self.withService(broker) {
                var machine = try await PlayedMachine(broker)
                try await machine.overheat()
                #expect(try await Self.nextEvent(events)["event"] as? String == "raised")

                try await Self.acknowledge(observer, #"{"by":"trainer","comment":"coolant line unblocked"}"#)
                let event = try await Self.nextEvent(events)
                #expect(event["event"] as? String == "acknowledged")
                let alert = try #require(event["alert"] as? [String: Any])
                #expect(alert["status"] as? String == "active_acknowledged")
                #expect(alert["active"] as? Bool == true)
                #expect(alert["acknowledged"] as? Bool == true)
                #expect((alert["acknowledgement"] as? [String: Any])?["by"] as? String == "trainer")

                let updated = try Self.json(try await alerts.next(2)[1])  // the raised alert, then the acknowledged one
                #expect(updated["status"] as? String == "active_acknowledged")
                let acknowledgement = try #require(updated["acknowledgement"] as? [String: Any])
                #expect(acknowledgement["by"] as? String == "trainer")
                #expect(acknowledgement["comment"] as? String == "coolant line unblocked")
                #expect((acknowledgement["at"] as? String).flatMap(ISO8601Parsing.date) != nil)
                _ = try await Self.counts(counts, active: 1, unacknowledged: 0)

                try await Self.acknowledge(observer, #"{"by":"second","comment":"me too"}"#)
                let twice = try await Self.deadLetter(letters, for: Self.ackTopic)
                #expect(twice.topic == "itest/_deadletter/already_acknowledged")
                #expect((try Self.json(twice)["detail"] as? String)?.contains("trainer") == true)

                let unknownRule = Self.topics.alertAcknowledgement(AlertKey(machine: Self.cnc, rule: "no_such_rule"))
                try await Self.acknowledge(observer, topic: unknownRule, #"{"by":"trainer"}"#)
                #expect(try await Self.deadLetter(letters, for: unknownRule).topic == "itest/_deadletter/unknown_alert")

                try await Self.acknowledge(observer, #"{"by":""}"#)
                let bad = try await Self.deadLetter(letters, for: Self.ackTopic)
                #expect(bad.topic == "itest/_deadletter/invalid_value", "a payload error is refused with its code")
                #expect(try Self.json(bad)["payload"] as? String == #"{"by":""}"#)

                // Refusals change nothing: the retained alert still names the first acknowledgement.
                let late = try await connectedClient(broker.url)
                let kept = try Self.json(try #require(try await late.subscribe(to: [Self.alertTopic]).next().first))
                #expect((kept["acknowledgement"] as? [String: Any])?["by"] as? String == "trainer")
                await late.disconnect()
                await machine.client.disconnect()
            }
            await observer.disconnect()
        }
    }

    @Test("An acknowledged alert that clears is cleared and closed: its retained topic is emptied and the counts go back to 0")
    func clearAfterAcknowledgement() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])
            let alerts = try await observer.subscribe(to: [Self.alertTopic])
            let counts = try await observer.subscribe(to: [Self.lineCounts])
            try await Self.withService(broker) {
                var machine = try await PlayedMachine(broker)
                try await machine.overheat()
                #expect(try await Self.nextEvent(events)["event"] as? String == "raised")
                _ = try await Self.counts(counts, active: 1, unacknowledged: 1)
                try await Self.acknowledge(observer, #"{"by":"trainer","comment":"watching it"}"#)
                #expect(try await Self.nextEvent(events)["event"] as? String == "acknowledged")

                let clearedAt = try await machine.send(temperature: 50, samples: 1)
                let cleared = try await Self.nextEvent(events)
                let closed = try await Self.nextEvent(events)
                #expect(cleared["event"] as? String == "cleared")
                #expect(closed["event"] as? String == "closed")
                let alert = try #require(closed["alert"] as? [String: Any])
                #expect(alert["status"] as? String == "closed")
                #expect(alert["active"] as? Bool == false)
                #expect(alert["cleared_at"] as? String == ISO8601Parsing.string(clearedAt))
                #expect((alert["acknowledgement"] as? [String: Any])?["by"] as? String == "trainer")
                let explanation = try #require(alert["explanation"] as? [String: Any])
                #expect((explanation["values"] as? [String: Any])?["spindle_temperature"] as? Double == 50, "the reading that cleared it")

                let emptied = try await Self.first(alerts, "the alert topic emptied") { $0.payload.isEmpty }
                #expect(emptied.topic == Self.alertTopic)
                let line = try await Self.counts(counts, active: 0, unacknowledged: 0)
                #expect((line["by_severity"] as? [String: Any])?["critical"] as? Int == 0)

                // A fresh subscriber gets no retained alert: the first thing it receives is a marker sent after it subscribed.
                let late = try await connectedClient(broker.url)
                let marker = "itest/test/marker"
                let seen = try await late.subscribe(to: [Self.alertTopic, marker])
                try await late.publish(to: marker, string: "after", qos: .atLeastOnce)
                let firstSeen = try #require(try await seen.next().first)
                #expect(firstSeen.topic == marker, "no retained alert is left on \(Self.alertTopic)")
                await late.disconnect()
                await machine.client.disconnect()
            }
            await observer.disconnect()
        }
    }

    @Test("After a restart on the same database the alert is back, is not raised again by the same condition, and can be acknowledged")
    func restart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UUID().uuidString.prefix(6)).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])
            let alerts = try await observer.subscribe(to: [Self.alertTopic])
            var machine = try await PlayedMachine(broker)

            try await Self.withService(broker, storage: try SQLiteTwinStorage(path: path)) {
                try await machine.overheat()
                #expect(try await Self.nextEvent(events)["event"] as? String == "raised")
                _ = try await alerts.next()
            }

            let stored = try await SQLiteTwinStorage(path: path).loadAll()
            #expect(stored.unreadable.isEmpty)
            let twin = try #require(stored.twins.first { $0.record.address.machine == "cnc" })
            let memory = try #require(twin.rules?["spindle_overheat"]?.alert, "the alert is stored with the twin's rule memories")
            #expect(memory.status == .activeUnacknowledged)
            #expect(memory.severity == .critical)
            #expect(memory.count == 1)

            // While the service is down the broker loses the retained alert; the restarted service publishes it again.
            try await observer.publish(to: Self.alertTopic, payload: [], qos: .atLeastOnce, retain: true)
            #expect(try await alerts.next().first?.payload.isEmpty == true)

            try await Self.withService(broker, storage: try SQLiteTwinStorage(path: path)) {
                let republished = try Self.json(try await Self.first(alerts, "the alert published again") { !$0.payload.isEmpty })
                #expect(republished["status"] as? String == "active_unacknowledged")
                #expect(republished["count"] as? Int == 1)
                #expect(republished["first_seen"] as? String == ISO8601Parsing.string(memory.firstSeen))

                // As long again as it took to raise it: a condition the restarted rules did not remember would
                // raise a second alert before the acknowledgement, which the service handles after these samples.
                try await machine.overheat()
                try await Self.acknowledge(observer, #"{"by":"night shift","comment":"after the restart"}"#)
                let event = try await Self.nextEvent(events)
                #expect(event["event"] as? String == "acknowledged", "the next event is the acknowledgement, not a second raise")
                let alert = try #require(event["alert"] as? [String: Any])
                #expect(alert["count"] as? Int == 1)
                #expect(alert["first_seen"] as? String == ISO8601Parsing.string(memory.firstSeen))
                #expect(alert["status"] as? String == "active_acknowledged")
                #expect((alert["acknowledgement"] as? [String: Any])?["by"] as? String == "night shift")
            }

            let afterwards = try await SQLiteTwinStorage(path: path).loadAll().twins.first { $0.record.address.machine == "cnc" }
            #expect(afterwards?.rules?["spindle_overheat"]?.alert?.status == .activeAcknowledged, "the acknowledgement is stored too")
            await machine.client.disconnect()
            await observer.disconnect()
        }
    }

    @Test("A consumer with a persistent session gets the raised event that happened while it was away")
    func consumerAway() async throws {
        try await MosquittoBroker.withBroker { broker in
            var configuration = try clientConfiguration(broker.url, clientID: uniqueClientID("console"))
            configuration.session = .persistent(expiry: .seconds(300))
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])

            try await Self.withService(broker) {
                let first = try MQTTClient(testing: configuration)
                try await first.connect()
                let subscription = try await first.subscribe(to: [Self.topics.alertEvents], qos: .atLeastOnce)
                await first.disconnect()
                withExtendedLifetime(subscription) {}  // dropping a subscription unsubscribes: keep it until here

                var machine = try await PlayedMachine(broker)
                try await machine.overheat()
                let raised = try await Self.nextEvent(events)
                #expect(raised["event"] as? String == "raised", "raised while the consumer is away")

                let second = try MQTTClient(testing: configuration)
                let missed = try await second.subscribe(to: [Self.topics.alertEvents], qos: .atLeastOnce)
                try await second.connect()
                #expect(second.state == .connected(sessionPresent: true))
                let event = try Self.json(try #require(try await missed.next().first))
                #expect(event["event"] as? String == "raised")
                #expect((event["alert"] as? [String: Any])?["id"] as? String == "site/area/line/cnc/spindle_overheat")
                #expect(event["ts"] as? String == raised["ts"] as? String, "the very event published while it was away")
                await second.disconnect()
                await machine.client.disconnect()
            }
            await observer.disconnect()
        }
    }
}
