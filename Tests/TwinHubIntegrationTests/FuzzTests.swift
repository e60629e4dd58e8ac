import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import Twins

/// Thousands of seeded hostile messages at a running `twinhub serve` and `twinhub sim` (child processes, one real
/// broker). What each message must come to is worked out with the service's own topic map and decoders: this test is
/// not about which payloads decode (the decoders' own fuzz test is), but that the running processes survive them all,
/// count every refusal where it belongs, publish every dead letter with its reason, and still work afterwards.
@Suite("Fuzz: hostile messages at a running service and simulator", .timeLimit(.minutes(1)))
struct FuzzTests {
    static let seed: UInt64 = 0x2026_0022_F022
    static let machines = ["m1", "m2"]
    /// Machine names nobody simulates: odd characters, a long one, near misses of the real ones. (Control characters
    /// cannot be in a topic: MQTT forbids them, and libmosquitto refuses to publish one.)
    static let strangers = ["ghost", "é-ü", "a b", "日本", "\u{FEFF}bom", String(repeating: "z", count: 300), "m1 ", "M1", "_x", "..", "%00"]
    static let serviceMessages = 4000
    static let commands = 1000

    /// What the service and the simulator must make of the messages sent.
    struct Expected {
        /// Machine messages the service cannot decode, by code.
        var decodeErrors: [String: Int] = [:]
        /// Decoded machine messages the twins refuse, by reason.
        var refusals: [String: Int] = [:]
        var acknowledgementsRefused = 0
        /// Empty messages on machine topics: deletions of retained messages, counted, never refused.
        var retainedDeleted = 0
        /// Topics under the root that the service reads past (not a machine topic, not an acknowledgement).
        var ignored = 0
        /// Every dead letter (machine messages and acknowledgements), by reason.
        var deadLetters: [String: Int] = [:]
        /// The sizes of the payloads refused as too large.
        var tooLargeSizes: [Int] = []
        /// The topics of the messages sent to the service.
        var topics: Set<String> = []
        /// Commands the simulator's machines must refuse.
        var commandsRefused = 0
        /// Commands to machines nobody simulates: nobody reads them.
        var commandsUnread = 0

        var deadLetterCount: Int { deadLetters.values.reduce(0, +) }
    }

    /// What a message must come to; `nil` for a message whose effect depends on the twins' state (not sent).
    enum Outcome {
        case decodeError(String), refusal(String), acknowledgementRefused(String), retainedDeleted, ignored, commandRefused, commandUnread
    }

    /// The JSON object of a message, `nil` if it is none (the state topics carry the hostile messages too).
    static func object(_ message: MQTTMessage) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(message.payload))) as? [String: Any]
    }

    static let time = Date(timeIntervalSince1970: 1_772_431_200)

    /// A valid payload of `channel` for `machine`, to build hostile ones around.
    static func valid(_ channel: TopicMap.Channel, machine: String) -> [UInt8] {
        switch channel {
        case .telemetry:
            JSONCodec.telemetry(TelemetrySample(time: time, sequence: 7, values: [.init(property: "spindle_speed", value: 9500, unit: "rpm")]),
                                machine: machine, kind: "cnc_machining_centre")
        case .state: JSONCodec.state(StateChange(time: time, sequence: 3, state: .running, previous: .idle, reason: "started"))
        case .counters: JSONCodec.counters(ProductionCounters(time: time, sequence: 2, total: 5, good: 4, scrap: 1, idealCycleTime: .seconds(240)))
        case .status: JSONCodec.status(online: true, time: time, reason: "connected")
        case .desired: JSONCodec.desired(.stopped)
        default: JSONCodec.command(MachineCommandRequest(command: .injectFault, fault: "coolant_loss", duration: .seconds(60)))
        }
    }

    static let validCommands: [[UInt8]] = [
        JSONCodec.command(MachineCommandRequest(command: .injectFault, fault: "coolant_loss", duration: .seconds(60))),
        JSONCodec.command(MachineCommandRequest(command: .clearFault, fault: "spindle_bearing")),
        JSONCodec.command(MachineCommandRequest(command: .setSpeed, value: 0.8)),
        JSONCodec.command(MachineCommandRequest(command: .stop)),
        Array(#"{"command":"inject_fault","fault":"no_such_fault","duration":"10m"}"#.utf8),
        Array(#"{"command":"set_speed","value":7}"#.utf8),
        Array(#"{"command":"self_destruct"}"#.utf8),
    ]

    /// What the service makes of `payload` on `topic`, by its topic map and decoders.
    static func serviceOutcome(_ topic: String, _ payload: [UInt8], topics: TopicMap) -> Outcome? {
        if let address = topics.machineTopic(of: topic) {
            if payload.isEmpty { return .retainedDeleted }
            let decoded: TwinStore.Decoded
            do {
                decoded = try JSONCodec.decodeMachineMessage(payload, channel: address.channel, maximumSize: JSONCodec.defaultMaximumSize)
            } catch {
                return .decodeError(error.code.rawValue)
            }
            switch decoded {
            case .desired where !machines.contains(address.machine.name): return .refusal("unknown_machine")
            case .telemetry(let telemetry) where telemetry.machine != address.machine.name: return .refusal("invalid_value")
            default: return nil  // applied to a twin: its effect depends on the twin
            }
        }
        if let alert = topics.alertTopic(of: topic), alert.isAcknowledgement {
            guard !machines.contains(alert.alert.machine.name) else { return nil }
            do {
                _ = try JSONCodec.decodeAcknowledgement(payload)
                return .acknowledgementRefused("unknown_alert")  // no twin, no alert
            } catch {
                return .acknowledgementRefused(error.code.rawValue)
            }
        }
        return .ignored
    }

    /// What a simulated CNC machine makes of `payload` on its `cmd` topic; `nil` for a command it may obey.
    static func commandOutcome(_ payload: [UInt8], kind: MachineKind) -> Outcome? {
        let request: MachineCommandRequest
        do {
            request = try JSONCodec.decodeCommand(payload)
        } catch {
            return .commandRefused
        }
        switch request.command {
        case .injectFault where request.fault.flatMap(kind.profile.fault(named:)) == nil: return .commandRefused
        case .clearFault where request.fault != nil: return .commandRefused  // no fault is ever active here
        case .setSpeed where !(request.value.map { (0.1...1.5).contains($0) } ?? false): return .commandRefused
        default: return nil
        }
    }

    /// The seeded messages, in the order to send them, and what they must come to.
    static func messages(topics: TopicMap, kind: MachineKind) -> (messages: [(topic: String, payload: [UInt8])], expected: Expected) {
        var hostile = HostilePayloads(seed: seed)
        var expected = Expected()
        var messages: [(topic: String, payload: [UInt8])] = []
        var (toService, toSimulator) = (0, 0)
        func path(_ machine: String) -> PlantPath { PlantPath(site: "site", area: "area", line: "line", machine: machine) }
        while toService < serviceMessages || toSimulator < commands {
            let topic: String, payload: [UInt8], outcome: Outcome?
            if toSimulator < commands && (toService >= serviceMessages || hostile.below(6) == 0) {
                let unread = hostile.below(10) == 0
                topic = topics.topic(.cmd, for: path(unread ? hostile.pick(strangers) : hostile.pick(machines)))
                payload = hostile.below(10) == 0 ? hostile.pick(validCommands) : hostile.payload(around: hostile.pick(validCommands))
                outcome = unread ? .commandUnread : commandOutcome(payload, kind: kind)
            } else {
                switch hostile.below(100) {
                case 0..<70:
                    let channel = hostile.pick([TopicMap.Channel.telemetry, .state, .counters, .status, .desired])
                    let machine = hostile.below(2) == 0 ? hostile.pick(machines) : hostile.pick(strangers)
                    switch hostile.below(100) {
                    case 0..<3:
                        (topic, payload) = (topics.topic(channel, for: path(machine)), [])
                    case 3..<6:  // telemetry that names another machine than its topic
                        (topic, payload) = (topics.topic(.telemetry, for: path(machine)), valid(.telemetry, machine: "impostor"))
                    case 6..<9:  // a desired state for a machine never seen
                        (topic, payload) = (topics.topic(.desired, for: path(hostile.pick(strangers))), valid(.desired, machine: machine))
                    default:
                        (topic, payload) = (topics.topic(channel, for: path(machine)), hostile.payload(around: valid(channel, machine: machine)))
                    }
                case 70..<85:
                    let alert = AlertKey(machine: path(hostile.pick(["ghost", "nobody", "m9"])), rule: hostile.pick(["spindle_overheat", "no_such_rule"]))
                    let acknowledgement = JSONCodec.acknowledgement(AcknowledgementRequest(by: "ana", comment: "checked"))
                    topic = topics.alertAcknowledgement(alert)
                    payload = hostile.below(10) == 0 ? hostile.pick([[], acknowledgement]) : hostile.payload(around: acknowledgement)
                default:  // levels missing, extra, empty or unknown
                    let machine = topics.topic(.telemetry, for: path(hostile.pick(machines)))
                    topic = hostile.pick([
                        "\(topics.root)/site/area/line/telemetry", "\(topics.root)/site/area/line/m1/extra/telemetry",
                        "\(topics.root)/site/area/line/m1/bogus", "\(topics.root)/site//line/m1/telemetry", "\(topics.root)//area/line/m1/state",
                        "\(topics.root)/site/area/line/m1/alert/r/ack/more", "\(topics.root)/site/area/line/m1/alert//ack", machine + "/",
                    ])
                    payload = hostile.payload(around: valid(.telemetry, machine: "m1"))
                }
                outcome = serviceOutcome(topic, payload, topics: topics)
            }
            guard let outcome else { continue }
            switch outcome {
            case .decodeError(let code):
                if code == PayloadError.Code.tooLarge.rawValue { expected.tooLargeSizes.append(payload.count) }
                expected.decodeErrors[code, default: 0] += 1
                expected.deadLetters[code, default: 0] += 1
            case .refusal(let reason):
                expected.refusals[reason, default: 0] += 1
                expected.deadLetters[reason, default: 0] += 1
            case .acknowledgementRefused(let reason):
                if reason == PayloadError.Code.tooLarge.rawValue { expected.tooLargeSizes.append(payload.count) }
                expected.acknowledgementsRefused += 1
                expected.deadLetters[reason, default: 0] += 1
            case .retainedDeleted: expected.retainedDeleted += 1
            case .ignored: expected.ignored += 1
            case .commandRefused: expected.commandsRefused += 1
            case .commandUnread: expected.commandsUnread += 1
            }
            if case .commandRefused = outcome { toSimulator += 1 } else if case .commandUnread = outcome { toSimulator += 1 } else {
                toService += 1
                expected.topics.insert(topic)
            }
            messages.append((topic, payload))
        }
        return (messages, expected)
    }

    @Test("""
        Thousands of seeded hostile messages (broken JSON, NaN, huge numbers and payloads, deep nesting, control \
        characters, wrong types, unknown machines, bad topic levels, acknowledgements and commands) leave both \
        processes running; every refusal is counted by reason and dead-lettered with it; both still work afterwards
        """)
    func hostileMessages() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try TestScenario.write(TestScenario.cnc(enterprise: "fuzz", machines: Self.machines), named: "fuzz", in: folder)
        let topics = try TopicMap(root: "fuzz")
        let kind = try #require(try KindLoader.loadDirectory(SimulatorTests.root.appendingPathComponent("twins").path)["cnc_machining_centre"])
        let (messages, expected) = Self.messages(topics: topics, kind: kind)
        #expect(expected.decodeErrors.count == PayloadError.Code.allCases.count, "every decode refusal is tried: \(expected.decodeErrors)")
        #expect(expected.ignored > 100 && expected.retainedDeleted > 10 && expected.commandsUnread > 10)

        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let letters = try await observer.subscribe(to: [topics.deadLetter(reason: "#")], qos: .atLeastOnce, bufferCapacity: 100_000,
                                                       whenFull: .pauseReading)
            let metrics = try await observer.subscribe(to: [topics.serviceMetrics], qos: .atLeastOnce)
            let states = try await observer.subscribe(to: [topics.filter(.state)], qos: .atLeastOnce)
            let serve = try ProcessRunner(["serve", "--scenario", scenario.path, "--broker", broker.url, "--db", folder.appendingPathComponent("twins.sqlite").path])
            try await serve.awaitStderr(containing: "serving fuzz/")
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--speed", "10"])
            // Both machines run, so each reads its cmd topic.
            _ = try await within(.seconds(15), "both machines running") {
                var running: Set<String> = []
                for await message in states where Self.object(message)?["state"] as? String == "running" {
                    running.insert(message.topic)
                    if running.count == Self.machines.count { return }
                }
            }

            let started = ContinuousClock.now
            let fuzzer = try await connectedClient(broker.url)
            for (topic, payload) in messages {
                try await fuzzer.publish(to: topic, payload: payload, qos: .atLeastOnce)
            }
            let sending = ContinuousClock.now - started

            // The service still works: a valid message after all of them is applied. It reads in order, so by then it has
            // read every message before it.
            let probe = PlantPath(site: "site", area: "area", line: "line", machine: "probe")
            let twins = try await observer.subscribe(to: [topics.topic(.twin, for: probe)], qos: .atLeastOnce)
            let sample = TelemetrySample(time: Self.time, sequence: 1, values: [.init(property: "level", value: 42.5, unit: "mm")])
            try await fuzzer.publish(to: topics.topic(.telemetry, for: probe), payload: JSONCodec.telemetry(sample, machine: "probe", kind: "probe_gauge"),
                                     qos: .atLeastOnce)
            _ = try await within(.seconds(10), "the probe's twin with its reading") {
                for await message in twins {
                    let reported = Self.object(message)?["reported"] as? [String: [String: Any]]
                    if reported?["level"]?["value"] as? Double == 42.5 { return }
                }
                throw TimedOut(what: "twins ended")
            }
            let applied = Date()

            // The figures taken after that count every message sent.
            let decoder = ServiceMessageDecoder(topics: topics)
            let figures = try await within(.seconds(12), "the service's metrics after the probe") { () -> ServiceMetricsMessage in
                for await message in metrics {
                    if case .metrics(let figures)? = try? decoder.decode(topic: message.topic, payload: message.payload), figures.time > applied {
                        return figures
                    }
                }
                throw TimedOut(what: "metrics ended")
            }
            #expect(figures.decodeErrors == expected.decodeErrors)
            #expect(figures.refusals == expected.refusals)
            #expect(figures.deadLetters == expected.decodeErrors.values.reduce(0, +) + expected.refusals.values.reduce(0, +))
            #expect(figures.acknowledgementsRefused == expected.acknowledgementsRefused)
            #expect(figures.retainedDeleted == expected.retainedDeleted)
            #expect(figures.dropped == 0)
            #expect(figures.twins == Self.machines.count + 1, "the machines and the probe: no twin of a refused message")

            // Every refusal is on its dead-letter topic, with the topic it came from, why, and what it said.
            let total = expected.deadLetterCount
            let received = try await within(.seconds(15), "\(total) dead letters") { () -> [MQTTMessage] in
                var received: [MQTTMessage] = []
                for await letter in letters {
                    received.append(letter)
                    if received.count == total { return received }
                }
                throw TimedOut(what: "dead letters ended after \(received.count)")
            }
            var reasons: [String: Int] = [:]
            var tooLarge: [Int] = []
            for letter in received {
                let body = try SimulatorTests.json(letter)
                let reason = try #require(body["reason"] as? String)
                reasons[reason, default: 0] += 1
                #expect(letter.topic == topics.deadLetter(reason: reason))
                #expect((body["topic"] as? String).map(expected.topics.contains) == true, "the topic of a message sent: \(body)")
                #expect((body["detail"] as? String)?.isEmpty == false)
                #expect(body["payload"] is String || body["payload_base64"] is String)
                if reason == "too_large" { tooLarge.append(body["payload_bytes"] as? Int ?? 0) }
            }
            #expect(reasons == expected.deadLetters)
            #expect(tooLarge.sorted() == expected.tooLargeSizes.sorted(), "a payload too large is dead-lettered with its size")

            // The simulator still obeys a valid command.
            let m1 = PlantPath(site: "site", area: "area", line: "line", machine: "m1")
            try await fuzzer.publish(to: topics.topic(.cmd, for: m1), string: #"{"command":"stop"}"#, qos: .atLeastOnce)
            _ = try await within(.seconds(10), "m1 stopped by the command") {
                for await message in states where message.topic == topics.topic(.state, for: m1) {
                    let state = Self.object(message)
                    if state?["state"] as? String == "stopped" && state?["reason"] as? String == "command stop" { return }
                }
            }
            await fuzzer.disconnect()

            sim.kill(SIGTERM)
            #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
            #expect(sim.stdout.contains("1 commands applied, \(expected.commandsRefused) refused"), "\(sim.stdout)")
            serve.kill(SIGTERM)
            #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
            print("fuzz: \(messages.count) messages sent in \(sending); \(total) dead letters \(expected.deadLetters.sorted { $0.key < $1.key }), \(expected.commandsRefused) commands refused, "
                  + "\(expected.retainedDeleted) retained deletions, \(expected.ignored) ignored")
            await observer.disconnect()
        }
    }
}
