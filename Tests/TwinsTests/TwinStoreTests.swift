import Foundation
import Testing
@testable import Twins
import TwinModel
import TwinHubProtocol

@Suite("The twin store")
struct TwinStoreTests {
    static let kinds = ["cnc_machining_centre": TwinFixtures.cnc]
    static let cnc = PlantPath(site: "s", area: "a", line: "l", machine: "cnc-01")

    static func telemetry(_ sequence: UInt64, machine: String = "cnc-01", kind: String = "cnc_machining_centre", _ values: [(String, Double, String)] = [("spindle_speed", 9500, "rpm")]) -> [UInt8] {
        JSONCodec.telemetry(TwinFixtures.sample(sequence, "06:00:0\(sequence % 10)", values), machine: machine, kind: kind)
    }

    @Test("Every class of bad input is refused with its reason and counted; the twin is untouched")
    func badInput() {
        var store = TwinStore(kinds: Self.kinds, maximumPayload: 2048)
        #expect(store.ingest(Self.telemetry(1), channel: .telemetry, address: Self.cnc, received: at("06:00:01")).isEmpty)
        let before = store.twins[Self.cnc]!
        let cases: [([UInt8], String)] = [
            (Array("{oops".utf8), "malformed_json"),
            (Array(#"{"ts":"2026-03-02T06:00:02.000Z","seq":2,"machine":"cnc-01","kind":"cnc_machining_centre","values":{"spindle_speed":{"value":"fast","unit":"rpm"}}}"#.utf8), "wrong_type"),
            (Array(#"{"ts":"2026-03-02T06:00:02.000Z","seq":2,"machine":"cnc-01","kind":"cnc_machining_centre","values":{"spindle_speed":{"value":NaN,"unit":"rpm"}}}"#.utf8), "non_finite"),
            (Array(repeating: 32, count: 4096), "too_large"),
            (Self.telemetry(2, [("spindle_speed", -50, "rpm")]), "impossible_value"),
            (Self.telemetry(3, [("warp_drive", 1, "rpm")]), "unknown_property"),
            (Self.telemetry(4, machine: "cnc-02"), "invalid_value"),
        ]
        for (payload, reason) in cases {
            let letters = store.ingest(payload, channel: .telemetry, address: Self.cnc, received: at("06:00:05"))
            #expect(letters.map(\.reason) == [reason], "\(String(decoding: payload.prefix(60), as: UTF8.self))")
        }
        // 3 was the last applied (1 after it would read as a restart): a duplicate is counted, not dead-lettered.
        #expect(store.ingest(Self.telemetry(3), channel: .telemetry, address: Self.cnc, received: at("06:00:05")).isEmpty)
        #expect(store.twins[Self.cnc]!.reported["spindle_speed"]?.value == before.reported["spindle_speed"]?.value)
        #expect(store.statistics.messagesIn == 9)
        #expect(store.statistics.deadLetters == 7)
        #expect(store.statistics.duplicates == 1)
        #expect(store.statistics.decodeErrors == [.malformedJSON: 1, .wrongType: 1, .nonFinite: 1, .tooLarge: 1])
        #expect(store.statistics.refusals == [.impossibleValue: 1, .unknownProperty: 1])
    }

    @Test("Beyond its most twins the store refuses new machines (too_many_twins, counted); known ones go on")
    func boundedTwins() {
        var store = TwinStore(kinds: Self.kinds, maximumTwins: 2)
        let machines = (1...3).map { PlantPath(site: "s", area: "a", line: "l", machine: "m\($0)") }
        for machine in machines.prefix(2) {
            #expect(store.ingest(Self.telemetry(1, machine: machine.name), channel: .telemetry, address: machine, received: at("06:00:01")).isEmpty)
        }
        let refused = store.ingest(Self.telemetry(1, machine: "m3"), channel: .telemetry, address: machines[2], received: at("06:00:02"))
        #expect(refused.map(\.reason) == ["too_many_twins"])
        #expect(refused.first?.detail.contains("at most 2 twins") == true)
        #expect(store.twins.count == 2 && store.twins[machines[2]] == nil)
        #expect(store.statistics.otherRefusals["too_many_twins"] == 1)
        #expect(store.ingest(Self.telemetry(2, machine: "m1"), channel: .telemetry, address: machines[0], received: at("06:00:03")).isEmpty)
    }

    @Test("Unknown kinds: a generic twin, or refused, by policy")
    func unknownKinds() {
        var generic = TwinStore(kinds: Self.kinds, unknownKinds: .generic)
        #expect(generic.ingest(Self.telemetry(1, kind: "time_machine", [("flux", 1.21, "GW")]), channel: .telemetry, address: Self.cnc, received: at("06:00:01")).isEmpty)
        #expect(generic.twins[Self.cnc]?.kind == nil && generic.twins[Self.cnc]?.reported["flux"] != nil)
        #expect(generic.statistics.unknownKind == 1)
        var strict = TwinStore(kinds: Self.kinds, unknownKinds: .reject)
        _ = strict.ingest(JSONCodec.status(online: true, time: at("06:00"), reason: "connected"), channel: .status, address: Self.cnc, received: at("06:00"))
        #expect(strict.twins.count == 1, "a status alone cannot tell the kind yet")
        #expect(strict.ingest(Self.telemetry(1, kind: "time_machine"), channel: .telemetry, address: Self.cnc, received: at("06:00:01")).map(\.reason) == ["unknown_kind"])
        #expect(strict.twins.isEmpty, "once telemetry shows an unknown kind, the twin goes")
        #expect(strict.statistics.otherRefusals == ["unknown_kind": 1])
    }

    @Test("A twin first seen by its status takes its kind from its first telemetry")
    func adoptsKind() {
        var store = TwinStore(kinds: Self.kinds)
        _ = store.ingest(JSONCodec.status(online: true, time: at("06:00"), reason: "connected"), channel: .status, address: Self.cnc, received: at("06:00"))
        #expect(store.twins[Self.cnc]?.kind == nil)
        _ = store.ingest(Self.telemetry(1), channel: .telemetry, address: Self.cnc, received: at("06:00:01"))
        #expect(store.twins[Self.cnc]?.kind?.id == "cnc_machining_centre")
    }

    @Test("Twins need only a kind's interface: one built in code, with no simulation profile, types and checks them")
    func interfaceAlone() {
        let here = SourceLocation(file: "imported", line: 1, column: 1)
        let interface = MachineInterface(
            id: "pump", name: "Pump", description: "", sampleInterval: .seconds(10),
            properties: [PropertySpec(name: "flow", type: .number, unit: "l/min", normal: 10...30, limits: 0...40, decimals: 1, location: here)],
            states: .default, commands: [.start, .stop], faults: [], production: .default)
        var store = TwinStore(kinds: ["pump": interface])
        let pump = PlantPath(site: "s", area: "a", line: "l", machine: "p1")
        let sample = TwinFixtures.sample(1, "06:00:01", [("flow", 35, "l/min"), ("head", 3, "m")])
        let refused = store.ingest(JSONCodec.telemetry(sample, machine: "p1", kind: "pump"), channel: .telemetry, address: pump, received: at("06:00:01"))
        #expect(refused.map(\.reason) == ["unknown_property"])
        #expect(store.twins[pump]?.kind == interface)
        #expect(store.twins[pump]?.reported["flow"]?.quality == .outOfRange)
        var twin = store.twins[pump]!
        twin.refresh(now: at("06:00:45"))
        #expect(twin.connectivity.status == .online, "stale after 5 of its 10 s sample intervals, not before")
        twin.refresh(now: at("06:00:52"))
        #expect(twin.connectivity.status == .stale)
    }

    @Test("Aggregates per line, area and site sum their machines")
    func aggregates() {
        var store = TwinStore(kinds: Self.kinds)
        let other = PlantPath(site: "s", area: "a", line: "l2", machine: "cnc-02")
        for (address, state) in [(Self.cnc, MachineState.running), (other, .fault)] {
            _ = store.ingest(JSONCodec.state(StateChange(time: at("06:00"), sequence: 1, state: state, previous: .idle, reason: "r")),
                             channel: .state, address: address, received: at("06:00"))
        }
        for address in [Self.cnc, other] {  // KPIs move with each machine's own clock: its next message
            _ = store.ingest(JSONCodec.telemetry(TwinFixtures.sample(1, "07:00", [("spindle_speed", 0, "rpm")]), machine: address.name, kind: "cnc_machining_centre"),
                             channel: .telemetry, address: address, received: at("07:00"))
        }
        let sums = store.aggregates()
        #expect(sums[PlantPath(site: "s", area: "a", line: "l")]?.shift.oee.availability == 1)
        #expect(sums[PlantPath(site: "s", area: "a", line: "l2")]?.shift.oee.availability == 0)
        #expect(sums[PlantPath(site: "s")]?.shift.oee.availability == 0.5, "one hour running out of two planned")
        #expect(sums.count == 4, "one site, one area, two lines")
        #expect(sums[PlantPath(site: "s")]?.machines == 2 && sums[PlantPath(site: "s", area: "a", line: "l")]?.machines == 1)
    }

    @Test("A desired state becomes the command to send; a bad one is refused")
    func desired() {
        var store = TwinStore(kinds: Self.kinds)
        #expect(store.ingest(Array(#"{"state":"stopped"}"#.utf8), channel: .desired, address: Self.cnc, received: at("06:00")).map(\.reason) == ["unknown_machine"])
        _ = store.ingest(JSONCodec.state(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "r")), channel: .state, address: Self.cnc, received: at("06:00"))
        #expect(store.ingest(Array(#"{"state":"stopped"}"#.utf8), channel: .desired, address: Self.cnc, received: at("06:01")).isEmpty)
        #expect(store.twins[Self.cnc]?.command == MachineCommandRequest(command: .stop))
        #expect(store.ingest(Array(#"{"state":"fault"}"#.utf8), channel: .desired, address: Self.cnc, received: at("06:01")).map(\.reason) == ["invalid_value"])
    }
}
