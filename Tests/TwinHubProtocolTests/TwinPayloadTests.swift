import Foundation
import Rules
import Testing
@testable import TwinService
import TwinModel
import Twins
import TwinHubProtocol

/// One machine feeding a ``ServiceHarness``: its messages written by the encoders machines use, at times on 2 March 2026.
struct MachineFeed {
    var service: ServiceHarness
    let path: PlantPath
    var kind = "cnc_machining_centre"
    private var sequences = (telemetry: UInt64(0), state: UInt64(0), counters: UInt64(0))

    init(service: ServiceHarness, machine: String = "cnc-01") {
        self.service = service
        path = PlantPath(site: "leuven", area: "fabrication", line: "line-1", machine: machine)
    }

    var topics: TopicMap { service.topics }

    mutating func status(online: Bool, at time: String, will: Bool = false) {
        let payload = JSONCodec.status(online: online, time: will ? nil : at(time), reason: online ? "connected" : will ? "connection lost" : "simulator stopped")
        service.receive(payload, on: topics.topic(.status, for: path), at: at(time))
    }

    mutating func state(_ state: MachineState, from previous: MachineState, at time: String, reason: String = "test") {
        let change = StateChange(time: at(time), sequence: sequences.state, state: state, previous: previous, reason: reason)
        sequences.state += 1
        service.receive(JSONCodec.state(change), on: topics.topic(.state, for: path), at: at(time))
    }

    mutating func telemetry(_ values: [(String, Double, String)], at time: String, sequence: UInt64? = nil) {
        sequences.telemetry = sequence ?? sequences.telemetry + 1
        let sample = TelemetrySample(time: at(time), sequence: sequences.telemetry, values: values.map { .init(property: $0.0, value: $0.1, unit: $0.2) })
        service.receive(JSONCodec.telemetry(sample, machine: path.name, kind: kind), on: topics.topic(.telemetry, for: path), at: at(time))
    }

    mutating func counters(total: Int, scrap: Int = 0, at time: String) {
        sequences.counters += 1
        let counters = ProductionCounters(time: at(time), sequence: sequences.counters, total: total, good: total - scrap, scrap: scrap,
                                          idealCycleTime: .seconds(20))
        service.receive(JSONCodec.counters(counters), on: topics.topic(.counters, for: path), at: at(time))
    }

    mutating func raw(_ payload: [UInt8], on channel: TopicMap.Channel, at time: String, waited: Duration? = nil) {
        service.receive(payload, on: topics.topic(channel, for: path), at: at(time), waited: waited)
    }

    /// The service's clock at `time`; the snapshot of this machine it published then, if any.
    mutating func tick(at time: String) -> [UInt8]? {
        _ = service.takePublished()
        service.tick(at: at(time))
        let published = service.takePublished()
        let twin = topics.topic(.twin, for: path)
        return published.last { $0.topic == twin }?.payload
    }
}

/// What the twin service publishes about twins (snapshots, histories, aggregate KPIs), its metrics and its dead
/// letters, in their varied shapes, against their schemas.
@Suite("Twin service messages match their schemas")
struct TwinPayloadTests {
    /// The members of a payload that is a JSON object.
    func members(_ payload: [UInt8]?) -> [String: JSON] {
        guard let payload, case .object(let members)? = try? JSONReader.read(payload) else { return [:] }
        return members
    }

    /// The text of a JSON string.
    func text(_ json: JSON?) -> String? {
        if case .string(let text)? = json { text } else { nil }
    }

    @Test("A twin from its first status to desired state, delta, MTBF and MTTR, stale and offline: every snapshot validates")
    func snapshots() throws {
        let validator = try Repository.validator()
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil))
        var snapshots: [String: [UInt8]] = [:]
        func snapshot(_ name: String, at time: String) {
            guard let payload = feed.tick(at: time) else {
                Issue.record("no snapshot \(name)")
                return
            }
            validator.expectValid(payload, .twin, name)
            snapshots[name] = payload
        }
        feed.status(online: true, at: "05:50:00")
        snapshot("status only", at: "05:50:01")
        feed.state(.idle, from: .idle, at: "05:50:00", reason: "simulator started")
        snapshot("state", at: "05:50:02")
        feed.telemetry([("spindle_speed", 0, "rpm"), ("vibration", 6.1, "mm/s"), ("spindle_temperature", 22, "°C")], at: "05:50:03")
        feed.telemetry([("spindle_speed", 99_000, "rpm"), ("vibration", 1.2, "mm/s")], at: "05:50:04")
        snapshot("readings: out of range, bad", at: "05:50:05")
        feed.state(.running, from: .idle, at: "06:00:00")
        feed.counters(total: 10, at: "06:00:00")
        feed.counters(total: 40, scrap: 2, at: "06:30:00")
        feed.state(.fault, from: .running, at: "06:30:00")
        feed.state(.running, from: .fault, at: "06:45:00")
        feed.telemetry([("spindle_speed", 9500, "rpm")], at: "06:45:00")
        snapshot("counters, KPIs, MTBF, MTTR", at: "06:45:01")
        feed.raw(Array(#"{"state":"stopped"}"#.utf8), on: .desired, at: "06:45:02")
        snapshot("desired and delta", at: "06:45:03")
        // Silence makes the twin stale at the next tick. (The service publishes the change with the twin's next
        // snapshot: a tick's refresh marks no twin for publishing, so a message that leaves it stale, here a desired
        // state again, brings the snapshot out.)
        _ = feed.tick(at: "06:46:00")
        feed.raw(Array(#"{"state":"stopped"}"#.utf8), on: .desired, at: "06:46:30")
        snapshot("stale", at: "06:47:00")
        feed.status(online: false, at: "06:48:00", will: true)
        snapshot("offline by its last will, still desired", at: "06:48:01")

        #expect(members(snapshots["status only"])["kind"] == .string("generic"), "the kind comes with the first telemetry")
        #expect(members(snapshots["status only"])["state"]?["since"] == nil && members(snapshots["status only"])["counters"] == nil)
        #expect(members(snapshots["status only"])["kpi"]?["shift_start"] == nil)
        #expect(members(snapshots["readings: out of range, bad"])["reported"]?["vibration"]?["quality"] == .string("good"))
        #expect(members(snapshots["readings: out of range, bad"])["reported"]?["spindle_speed"]?["quality"] == .string("bad"))
        let kpi = members(snapshots["counters, KPIs, MTBF, MTTR"])["kpi"]
        #expect(kpi?["mtbf_s"] != nil && kpi?["mttr_s"] != nil && kpi?["shift"]?["oee"] != nil)
        #expect(members(snapshots["desired and delta"])["delta"] == .object(["state": .string("stopped"), "command": .string("stop")]))
        #expect(members(snapshots["stale"])["connectivity"]?["status"] == .string("stale"))
        #expect(members(snapshots["stale"])["reported"]?["spindle_speed"]?["quality"] == .string("stale"))
        #expect(members(snapshots["offline by its last will, still desired"])["state"]?["value"] == .string("offline"))
        #expect(members(snapshots["offline by its last will, still desired"])["delta"] != nil)
        // The command that closes the delta went out once the desired state came, and validates.
        let commands = feed.service.takeCommands()
        #expect(commands.count >= 1)
        for command in commands { validator.expectValid(command.payload, .cmd, "the command of the delta") }
    }

    @Test("A twin of a kind the service does not know is generic, with the units it was sent")
    func genericTwin() throws {
        let validator = try Repository.validator()
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil))
        feed.kind = "mystery_machine"
        feed.telemetry([("torque", 12.5, "N·m"), ("mood", -3, "")], at: "06:00:00")
        let published = feed.tick(at: "06:00:01")
        let snapshot = try #require(published)
        validator.expectValid(snapshot, .twin)
        #expect(members(snapshot)["kind"] == .string("generic"))
    }

    @Test("Histories validate: a fresh one, a full one, and one whose machine clock went back (a negative offset)")
    func histories() throws {
        let validator = try Repository.validator()
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil, settings: TwinSettings(historySize: 5)))
        let topic = feed.topics.topic(.history, for: feed.path)
        func history(at time: String) throws -> [UInt8] {
            _ = feed.tick(at: time)
            let twin = try #require(feed.service.store.twins.values.first)
            let payload = JSONCodec.history(twin)
            validator.expectValid(payload, .history, time)
            return payload
        }
        feed.telemetry([("spindle_speed", 9500, "rpm")], at: "06:00:00")
        #expect(members(try history(at: "06:00:01"))["properties"]?["spindle_speed"]?["offsets_s"] == .array([.number(0)]))
        for second in 1...8 { feed.telemetry([("spindle_speed", 9500 + Double(second) * 0.1234, "rpm"), ("vibration", 1.5, "mm/s")], at: "06:00:0\(second)") }
        let full = try history(at: "06:00:09")
        #expect(members(full)["properties"]?["spindle_speed"]?["values"].map { if case .array(let values) = $0 { values.count } else { 0 } } == 5)
        // A machine restarted with its clock ten minutes back: sequence 1, an older time.
        feed.telemetry([("spindle_speed", 100, "rpm")], at: "05:50:00", sequence: 1)
        let back = try history(at: "06:00:20")
        guard case .array(let offsets)? = members(back)["properties"]?["spindle_speed"]?["offsets_s"] else {
            Issue.record("no offsets")
            return
        }
        #expect(offsets.contains { if case .number(let offset) = $0 { offset < 0 } else { false } })
        // The published ones too.
        let published = feed.service.published.filter { $0.topic == topic }
        for publication in published { validator.expectValid(publication.payload, .history) }
    }

    @Test("Aggregate KPIs of sites, areas and lines validate, with and without figures")
    func aggregates() throws {
        let validator = try Repository.validator()
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil))
        feed.status(online: true, at: "06:00:00")
        feed.service.tick(at: at("06:00:01"))
        let fresh = feed.service.takePublished().filter { $0.schema == .kpi }
        #expect(fresh.count == 3, "site, area and line")
        for publication in fresh {
            validator.expectValid(publication.payload, .kpi, publication.topic)
            #expect(members(publication.payload)["shift"] == .object([:]), "no planned time yet: no figures")
        }
        feed.state(.running, from: .idle, at: "06:00:00")
        feed.counters(total: 1, at: "06:00:00")
        feed.counters(total: 30, scrap: 1, at: "06:20:00")
        feed.state(.stopped, from: .running, at: "06:30:00")
        feed.service.tick(at: at("06:30:01"))
        let figures = feed.service.takePublished().filter { $0.schema == .kpi }
        for publication in figures {
            validator.expectValid(publication.payload, .kpi, publication.topic)
            #expect(members(publication.payload)["window"]?["oee"] != nil)
        }
        #expect(Set(figures.map { members($0.payload).keys.sorted().joined(separator: ",") })
                == ["machines,shift,site,window", "area,machines,shift,site,window", "area,line,machines,shift,site,window"])
    }

    @Test("Metrics validate: a fresh service, and one that refused messages for every reason")
    func metrics() throws {
        let validator = try Repository.validator()
        var fresh = try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil)
        fresh.tick(at: at("06:00:00"), figures: .init(dropped: 0, heapBytes: 0))
        validator.expectValid(try #require(fresh.payloads(.metrics).last), .metrics, "fresh")
        var feed = MachineFeed(service: try Self.refusingService())
        // Waits between the MQTT client and the core of 0, 5 and 25 ms: a mean of 10.
        for (second, waited) in [(40, 0), (41, 5), (42, 25)] {
            feed.raw(Array(#"{"state":"running"}"#.utf8), on: .desired, at: "06:00:\(second)", waited: .milliseconds(waited))
        }
        _ = feed.service.takePublished()
        feed.service.tick(at: at("07:00:00"), figures: .init(dropped: 12, heapBytes: 51_000_000))
        let payload = try #require(feed.service.payloads(.metrics).last)
        validator.expectValid(payload, .metrics, "after refusals")
        let metrics = members(payload)
        #expect(metrics["decode_errors"].map { if case .object(let errors) = $0 { Set(errors.keys) } else { [] } }
                == Set(PayloadError.Code.allCases.map(\.rawValue)), "every decode error was counted")
        #expect(metrics["lag_ms"] == .object(["mean": .number(10), "max": .number(25)]))
    }

    @Test("Dead letters validate for every reason the service refuses with, text or binary, whole or cut at 1024 bytes")
    func deadLetters() throws {
        let validator = try Repository.validator()
        let service = try Self.refusingService()
        let letters = service.published.filter { $0.schema == .deadLetter }
        for letter in letters { validator.expectValid(letter.payload, .deadLetter, letter.topic) }
        let reasons = Set(letters.compactMap { text(members($0.payload)["reason"]) })
        // A duplicate is counted in the metrics, never dead-lettered.
        let expected: Set<String> = Set(PayloadError.Code.allCases.map(\.rawValue) + Refusal.Reason.allCases.filter { $0 != .duplicate }.map(\.rawValue)
                                        + ["unknown_kind", "unknown_machine", "unknown_alert", "already_acknowledged"])
        #expect(reasons == expected)
        #expect(letters.contains { members($0.payload)["payload_base64"] != nil && members($0.payload)["payload_bytes"] == nil }, "a binary payload")
        #expect(letters.contains { members($0.payload)["payload_base64"] != nil && members($0.payload)["payload_bytes"] != nil }, "a character cut at 1024 bytes")
        #expect(letters.contains { members($0.payload)["payload"] != nil && members($0.payload)["payload_bytes"] == .number(70_000) }, "a large text cut")
        #expect(letters.contains { members($0.payload)["payload"] == .string("") }, "an empty payload")
        for letter in letters { #expect(text(members(letter.payload)["reason"]).map { "acme/_deadletter/\($0)" } == letter.topic) }
    }

    @Test("The schemas name every reason the code has: dead-letter reasons, decode errors and refusals in metrics")
    func reasons() throws {
        let validator = try Repository.validator()
        func names(_ json: JSON?) -> Set<String> {
            switch json {
            case .array(let values)?: Set(values.compactMap { if case .string(let name) = $0 { name } else { nil } })
            case .object(let members)?: Set(members.keys)
            default: []
            }
        }
        let deadLetter = validator.documents[MessageSchema.deadLetter.id]
        let codes = Set(PayloadError.Code.allCases.map(\.rawValue)), refusals = Set(Refusal.Reason.allCases.map(\.rawValue))
        let store: Set<String> = ["invalid_value", "unknown_kind", "unknown_machine", "too_many_twins"]
        let acknowledgements: Set<String> = ["unknown_alert", "already_acknowledged", "not_active"]
        #expect(acknowledgements.allSatisfy { AlertError.Code(rawValue: $0) != nil })
        #expect(names(deadLetter?["properties"]?["reason"]?["enum"]) == codes.union(refusals).union(store).union(acknowledgements))
        let metrics = validator.documents[MessageSchema.metrics.id]?["properties"]
        #expect(names(metrics?["decode_errors"]?["properties"]) == codes)
        #expect(names(metrics?["refusals"]?["properties"]) == refusals.union(store))
    }

    /// A service with rules that was sent a message refused for every reason it has.
    static func refusingService() throws -> ServiceHarness {
        let kinds = Repository.kinds
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: kinds, rules: RuleBook(kinds: kinds), unknownKinds: .reject))
        feed.status(online: true, at: "06:00:00")
        feed.telemetry([("spindle_speed", 9500, "rpm")], at: "06:00:01")
        let again = JSONCodec.telemetry(TelemetrySample(time: at("06:00:01"), sequence: 1, values: [.init(property: "spindle_speed", value: 9500, unit: "rpm")]),
                                           machine: "cnc-01", kind: "cnc_machining_centre")
        feed.raw(again, on: .telemetry, at: "06:00:02")  // duplicate
        feed.telemetry([("spindle_speed", 9400, "rpm")], at: "06:00:05", sequence: 5)
        feed.telemetry([("spindle_speed", 9300, "rpm")], at: "06:00:04", sequence: 4)  // out_of_order
        feed.telemetry([("spindle_speed", 99_000, "rpm"), ("power", 5, "W"), ("flux", 1, "T")], at: "06:00:06")  // impossible, unit, unknown
        feed.raw(Array(repeating: UInt8(ascii: "x"), count: 70_000), on: .telemetry, at: "06:00:07")  // too_large
        feed.raw(Array("{not json".utf8), on: .telemetry, at: "06:00:07")  // malformed_json
        feed.raw([0xFF, 0xFE, 0x00, 0x01], on: .telemetry, at: "06:00:07")  // malformed_json, binary
        feed.raw(Array(repeating: UInt8(ascii: "a"), count: 1023) + Array("é".utf8), on: .state, at: "06:00:07")  // cut inside é
        feed.raw([], on: .counters, at: "06:00:07")  // malformed_json, empty
        feed.raw(Array(#"{"ts":"2026-03-02T06:00:08Z","seq":9,"machine":"cnc-01","kind":"cnc_machining_centre","values":{"vibration":{"value":NaN,"unit":"mm/s"}}}"#.utf8),
                 on: .telemetry, at: "06:00:08")  // non_finite
        feed.raw(Array(#"{"seq":9,"machine":"cnc-01","kind":"cnc_machining_centre","values":{}}"#.utf8), on: .telemetry, at: "06:00:08")  // missing_field
        feed.raw(Array("[1]".utf8), on: .state, at: "06:00:08")  // wrong_type
        feed.raw(Array(#"{"state":"fault"}"#.utf8), on: .desired, at: "06:00:08")  // invalid_value (no command reaches fault)
        feed.raw(Array(#"{"ts":"2026-03-02T06:00:08Z","seq":0,"machine":"cnc-01","kind":"cnc_machining_centre","values":{}}"#.utf8),
                 on: .telemetry, at: "06:00:08")  // invalid_value (decoding)
        var stranger = MachineFeed(service: feed.service, machine: "stranger-01")
        stranger.raw(Array(#"{"state":"running"}"#.utf8), on: .desired, at: "06:00:09")  // unknown_machine
        stranger.kind = "mystery_machine"
        stranger.telemetry([("torque", 1, "N·m")], at: "06:00:09")  // unknown_kind
        feed.service = stranger.service
        // Acknowledgements: no such alert; an alert acknowledged twice; a bad payload.
        let ack = feed.topics.alertAcknowledgement(AlertKey(machine: feed.path, rule: "spindle_overheat"))
        feed.service.receive(Array(#"{"by":"ana"}"#.utf8), on: ack, at: at("06:00:10"))  // unknown_alert
        feed.state(.running, from: .idle, at: "06:00:10")
        for second in 11...30 { feed.telemetry([("spindle_temperature", 88, "°C")], at: "06:00:\(second)") }
        feed.service.receive(Array(#"{"by":"ana","comment":"checking"}"#.utf8), on: ack, at: at("06:00:31"))
        feed.service.receive([], on: ack, at: at("06:00:32"))  // already_acknowledged (anonymous)
        feed.service.receive(Array(#"{"by":""}"#.utf8), on: ack, at: at("06:00:33"))  // invalid_value
        return feed.service
    }
}
