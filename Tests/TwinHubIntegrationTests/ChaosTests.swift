import Foundation
import Synchronization
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// Real processes in a hostile world: the broker is killed (SIGKILL) and restarted on the same port several times while
/// `twinhub serve` raises a storm of alerts from what `twinhub sim` sends, and a consumer with a persistent session
/// reads the alert event stream.
@Suite("Chaos: the broker killed during an alert storm", .timeLimit(.minutes(2)))
struct ChaosTests {
    static let machines = ["m1", "m2", "m3"]
    static let kills = 3
    /// New alert events to see from the service after each (re)start of the broker before it is killed again.
    static let eventsPerPhase = 60

    /// Nearly every sample of a CNC machine's spindle speed (9500 rpm with noise) crosses one of this rule's three
    /// levels (no hysteresis, no latch): a storm of raised, escalated, de-escalated, cleared and closed alerts.
    static let stormRule = "{ id: speed_flutter, name: Spindle speed flutter, description: A storm of alerts for the chaos test., "
        + "threshold: { property: spindle_speed, above: { warning: 9480, major: 9505, critical: 9530 }, hysteresis: 0 }, latch: false }"

    /// An alert event as the service logged it (`alert raised: site/area/line/m1/speed_flutter critical …`) or as
    /// the consumer read it: the event, the alert and its severity after the event.
    struct EventKey: Hashable, CustomStringConvertible {
        let event: String
        let alert: String
        let severity: String
        var description: String { "\(event) \(alert) \(severity)" }
    }

    /// Every alert event `twinhub serve` published, in order, from its log (one `alert {event}: {id} {severity} …` line
    /// per event it hands to its MQTT client).
    static func publishedEvents(_ log: String) -> [EventKey] {
        let events = ["raised", "escalated", "deescalated", "acknowledged", "cleared", "closed"]
        return log.split(separator: "\n").compactMap { line -> EventKey? in
            guard let start = line.range(of: " alert ") else { return nil }
            let words = line[start.upperBound...].split(separator: " ", maxSplits: 3)
            guard words.count >= 3, words[0].hasSuffix(":"), events.contains(String(words[0].dropLast())) else { return nil }
            return EventKey(event: String(words[0].dropLast()), alert: String(words[1]), severity: String(words[2]))
        }
    }

    /// What `all` has more of than `some`, counted (a multiset difference).
    static func difference(_ all: [EventKey], _ some: [EventKey]) -> [EventKey] {
        var left = Dictionary(some.map { ($0, 1) }, uniquingKeysWith: +)
        return all.filter { key in
            guard let count = left[key], count > 0 else { return true }
            left[key] = count - 1
            return false
        }
    }

    /// Where the events of an alert, in the order received, do not follow its lifecycle: a lost event leaves a gap
    /// (an escalation from a severity the alert no longer had, a raise of an open alert, a close of one not cleared).
    /// The alert rule of this test has no latch: an alert that clears closes at once, and the next raise opens another.
    static func lifecycleGaps(_ events: [AlertEventMessage]) -> [String] {
        struct Alert { var open = false, active = false, severity = "" }
        var alerts: [String: Alert] = [:]
        var gaps: [String] = []
        for (index, event) in events.enumerated() {
            var alert = alerts[event.alert.id, default: Alert()]
            let severity = event.alert.severity.rawValue
            let fits: Bool
            switch event.event {
            case "raised":
                fits = !alert.open
                alert = Alert(open: true, active: true, severity: severity)
            case "escalated", "deescalated":
                fits = alert.active && event.previousSeverity?.rawValue == alert.severity
                alert.severity = severity
            case "cleared":
                fits = alert.active
                alert.active = false
            case "closed":
                fits = alert.open && !alert.active
                alert.open = false
            default:
                fits = false
            }
            if !fits { gaps.append("event \(index + 1): \(event.event) \(event.alert.id) \(severity) (previous \(event.previousSeverity?.rawValue ?? "-"))") }
            alerts[event.alert.id] = alert
        }
        return gaps
    }

    /// Reads `subscription` until `enough` says so or `limit` passes; returns what it read either way, so a shortfall can
    /// be shown rather than only timed out.
    static func read(_ subscription: MQTTSubscription, within limit: Duration, until enough: @escaping @Sendable ([[UInt8]]) -> Bool) async -> [[UInt8]] {
        let read = Mutex<[[UInt8]]>([])
        _ = try? await within(limit, "alert events") {
            for await message in subscription {
                if read.withLock({ $0.append(message.payload); return enough($0) }) { return }
            }
        }
        return read.withLock { $0 }
    }

    @Test("""
        Killed three times during an alert storm, the broker comes back from its last save; the service, the simulator \
        and a persistent QoS 1 consumer reconnect by themselves; the consumer gets every alert event the service \
        published, in order; a desired state after the last restart goes round the whole loop
        """)
    func brokerKilledDuringAlertStorm() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try TestScenario.write(TestScenario.cnc(enterprise: "chaos", machines: Self.machines, rules: [Self.stormRule]),
                                              named: "storm", in: folder)
        let topics = try TopicMap(root: "chaos")
        let paths = Self.machines.map { PlantPath(site: "site", area: "area", line: "line", machine: $0) }

        try await MosquittoBroker.withBroker(.init(persistence: .init(autosaveInterval: 1, onChanges: true))) { broker in
            // The consumer that must miss nothing: QoS 1, a persistent session, a buffer that pauses reading rather than drop.
            var consumerConfiguration = try clientConfiguration(broker.url, clientID: uniqueClientID("chaos-consumer"))
            consumerConfiguration.session = .persistent(expiry: .seconds(600))
            // It comes back later than the service after a restart, so events are published while it is away: the broker
            // must keep them in its session, restored from its last save.
            consumerConfiguration.reconnect = .init(initialDelay: .milliseconds(1500), maximumDelay: .seconds(2))
            let consumer = try MQTTClient(testing: consumerConfiguration)
            let consumerStates = Mutex<[ConnectionState]>([])
            let stateUpdates = consumer.stateUpdates()
            let watching = Task { for await state in stateUpdates { consumerStates.withLock { $0.append(state) } } }
            defer { watching.cancel() }
            try await consumer.connect()
            let events = try await consumer.subscribe(to: [topics.alertEvents], qos: .atLeastOnce, bufferCapacity: 100_000, whenFull: .pauseReading)
            // A clean-session observer of the machines' statuses: it subscribes again after every restart by itself.
            let observer = try await connectedClient(broker.url)
            let statuses = try await observer.subscribe(to: [topics.filter(.status)], qos: .atLeastOnce)

            let savesBefore = broker.savesBegun
            let database = folder.appendingPathComponent("twins.sqlite").path
            let serve = try ProcessRunner(["serve", "--scenario", scenario.path, "--broker", broker.url, "--db", database, "--log-level", "info"])
            try await serve.awaitStderr(containing: "serving chaos/")
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--speed", "10"])

            var received: [[UInt8]] = []
            /// Waits for `count` more alert events and for every machine to say it is online since `since`.
            func storming(since: Date, _ phase: String) async throws {
                do {
                    received += try await events.next(Self.eventsPerPhase, within: .seconds(20)).map(\.payload)
                } catch {
                    Issue.record("\(phase): \(error) after \(received.count) events; the service's log:\n\(serve.stderr.suffix(3000))\nthe simulator's:\n\(sim.stderr.suffix(2000))")
                    throw error
                }
                let online = try await within(.seconds(20), "every machine online again (\(phase))") { () -> Set<String> in
                    var online: Set<String> = []
                    for await message in statuses {
                        guard let status = try? SimulatorTests.json(message), status["status"] as? String == "online",
                              let time = (status["ts"] as? String).flatMap(ISO8601Parsing.date), time > since else { continue }
                        online.insert(message.topic)
                        if online.count == paths.count { return online }
                    }
                    throw TimedOut(what: "statuses ended")
                }
                #expect(online == Set(paths.map { topics.topic(.status, for: $0) }))
            }

            let started = Date()
            try await storming(since: started.addingTimeInterval(-60), "at the start")
            // The consumer's session must be in a save before the first kill: two saves begun since it subscribed (the first
            // is complete once the second begins). The broker's own file has no event to await.
            _ = try await poll("two saves of the broker's state", every: .milliseconds(100), within: .seconds(10)) {
                broker.savesBegun >= savesBefore + 2 ? true : nil
            }
            for kill in 1...Self.kills {
                let killedAt = Date()
                await broker.kill()
                // Down for a moment, not as a wait for anything: events and telemetry queue up meanwhile.
                try await Task.sleep(for: .milliseconds(300))
                try await broker.restart()
                try await storming(since: killedAt, "after kill \(kill)")
            }

            // After the last restart the whole loop works: a desired state reaches the service, which commands the
            // machine, which stops and reports it; the twin says so.
            let twinWatcher = try await connectedClient(broker.url)
            let twins = try await twinWatcher.subscribe(to: [topics.topic(.twin, for: paths[0])], qos: .atLeastOnce)
            try await observer.publish(to: topics.topic(.desired, for: paths[0]), string: #"{"state":"stopped"}"#, qos: .atLeastOnce)
            let stopped = try await within(.seconds(20), "m1's twin to report stopped") { () -> String? in
                for await message in twins {
                    guard let state = (try? SimulatorTests.json(message))?["state"] as? [String: Any] else { continue }
                    if state["value"] as? String == "stopped" { return state["reason"] as? String }
                }
                throw TimedOut(what: "twins ended")
            }
            #expect(stopped == "command stop", "stopped by the service's command")
            await twinWatcher.disconnect()

            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            serve.kill(SIGTERM)
            #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")

            // What the service published, by its own account (its log lines follow its publishes, but two tasks' lines may
            // interleave: the log gives the events, not their order). The consumer must have each of them once (a QoS 1
            // redelivery after a restart is the same bytes again: counted once), and each alert's events must follow its
            // lifecycle without a gap.
            let published = Self.publishedEvents(serve.stderr)
            #expect(published.count >= (Self.kills + 1) * Self.eventsPerPhase / 2, "a storm: \(published.count) events")
            let target = published.count
            let before = received
            let rest = await Self.read(events, within: .seconds(15)) { more in Set(before + more).count >= target }
            received += rest
            var seen: Set<[UInt8]> = []
            let distinct = received.filter { seen.insert($0).inserted }
            let decoded = try distinct.map { try JSONCodec.decodeAlertEvent(try JSONFields.read($0, what: "an alert event")) }
            let keys = decoded.map { EventKey(event: $0.event, alert: $0.alert.id, severity: $0.alert.severity.rawValue) }
            #expect(keys.count == published.count, "events published \(published.count), received \(keys.count) (\(received.count) with redeliveries)")
            let missing = Self.difference(published, keys), unexpected = Self.difference(keys, published)
            #expect(missing.isEmpty, "published, never received: \(missing.prefix(10))")
            #expect(unexpected.isEmpty, "received, never published: \(unexpected.prefix(10))")
            #expect(Self.lifecycleGaps(decoded).isEmpty, "\(Self.lifecycleGaps(decoded).prefix(5))")

            // Every part reconnected by itself, once per kill.
            let connects = serve.stderr.components(separatedBy: "MQTT connected to").count - 1
            #expect(connects == Self.kills + 1, "the service connected once and again after each kill: \(connects)")
            #expect(sim.stdout.contains(", \(Self.machines.count * Self.kills) reconnects"), "each machine once per kill: \(sim.stdout)")
            let resumed = consumerStates.withLock { $0 }.filter { $0 == .connected(sessionPresent: true) }.count
            #expect(resumed == Self.kills, "the consumer resumed its saved session after each kill: \(consumerStates.withLock { $0 })")
            print("chaos: \(published.count) alert events published, \(received.count) received with \(received.count - distinct.count) redeliveries, "
                  + "\(Date().timeIntervalSince(started)) s from the first storm")
            await consumer.disconnect()
            await observer.disconnect()
        }
    }
}
