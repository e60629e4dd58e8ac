import Foundation
import Testing
@testable import TwinModel

@Suite("Scenarios")
struct ScenarioLoaderTests {
    let kinds: [String: MachineKind]

    init() throws {
        kinds = try KindLoader.loadDirectory(Repository.twins)
    }

    @Test("Every shipped scenario loads; the scale scenario has 10,000 machines")
    func shipped() throws {
        var byID: [String: Scenario] = [:]
        for file in YAMLFiles.list(in: Repository.simulations) {
            let scenario = try ScenarioLoader.load(file: file, kinds: kinds)
            byID[scenario.id] = scenario
        }
        #expect(Set(byID.keys).isSuperset(of: ["sheet_metal_job_shop", "textile_weaving_hall", "predictive_maintenance_training", "scale_10k"]))
        #expect(byID["scale_10k"]?.machines.count == 10_000)
        let shop = try #require(byID["sheet_metal_job_shop"])
        #expect(shop.machines.map(\.id) == ["laser-01", "brake-01", "weld-01", "compressor-01"])
        #expect(shop.enterprise == "acme")
        #expect(shop.machines[0].path == PlantPath(site: "leuven", area: "fabrication", line: "line-1", machine: "laser-01"))
        #expect(shop.machines[2].kind.interface.production.idealCycleTime == .seconds(70), "overrides apply")
        #expect(shop.machines[1].scheduledFaults.first?.at == .seconds(7200))
        #expect(shop.shifts.map(\.name) == ["early", "late"])
        #expect(ISO8601Parsing.string(shop.start) == "2026-03-02T06:00:00.000Z")
        let hall = try #require(byID["textile_weaving_hall"])
        #expect(hall.machines.filter { $0.path.line == "row-a" }.map(\.id) == (1...8).map { "loom-0\($0)" })
    }

    @Test("Scenario errors point at the line and column", arguments: [
        ("scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - { id: m, kind: cnc_machining_center }\n", 9, 32, "unknown kind 'cnc_machining_center'; did you mean 'cnc_machining_centre'?"),
        ("scenario: s\nspeed: 0\nsites: []\n", 2, 8, "speed must be from"),
        ("scenario: s\nshifts:\n  - { start: '25:00', end: '06:00' }\nsites: []\n", 3, 14, "time of day"),
        ("scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - id: m\n                kind: press_brake\n                properties: { ram_forse: { normal: [0, 1] } }\n", 11, 31, "has no property 'ram_forse'; did you mean 'ram_force'?"),
        ("scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - id: m\n                kind: press_brake\n                faults: [{ fault: melt, at: 1h }]\n", 11, 35, "has no fault 'melt'"),
        ("scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - { id: m, kind: press_brake }\n              - { id: m, kind: press_brake }\n", 10, 23, "already on line 'c'"),
        ("scenario: s\nsites:\n  - id: a b\n", 3, 9, "must be letters, digits"),
        ("scenario: s\nstart: '2026-02-31T06:00:00Z'\nsites: []\n", 2, 8, "ISO 8601"),
        ("scenario: s\nstart: '2026/03/02 06-00-00Z'\nsites: []\n", 2, 8, "ISO 8601"),
        ("scenario: s\nshifts:\n  - { start: '06:00', end: '06:00' }\nsites: []\n", 3, 28, "never runs"),
        ("scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - id: m\n                kind: cnc_machining_centre\n                properties: { bearing_wear: { signal: { constant: 1 } } }\n", 11, 29, "must keep a wear part"),
        ("scenario: s\nprotocol: opcua\nsites: []\n", 2, 11, "protocol must be json, sparkplug, both, not 'opcua'"),
        ("scenario: s\nsparkplug: { edge_node: cell }\nsites: []\n", 2, 25, "edge_node must be line, machine, not 'cell'"),
        ("scenario: s\nsparkplug: { group_id: x }\nsites: []\n", 2, 14, "group_id"),
    ])
    func errors(yaml: String, line: Int, column: Int, message: String) {
        let thrown = #expect(throws: ModelErrors.self) { try ScenarioLoader.load(yaml: yaml, file: "s.yaml", kinds: kinds) }
        let error = thrown?.errors.first
        #expect(error?.location == SourceLocation(file: "s.yaml", line: line, column: column), "\(thrown?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("protocol: and sparkplug: say what the fleet speaks; JSON by default")
    func wire() throws {
        let machines = "sites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n              - { id: m, kind: press_brake }\n"
        let plain = try ScenarioLoader.load(yaml: "scenario: s\n" + machines, file: "s.yaml", kinds: kinds)
        #expect(plain.wire == ScenarioWire())
        let yaml = "scenario: s\nprotocol: both\nsparkplug: { group: plant1, edge_node: machine, primary_host: scada }\n" + machines
        let wire = try ScenarioLoader.load(yaml: yaml, file: "s.yaml", kinds: kinds).wire
        #expect(wire.protocolName == "both" && wire.sparkplugGroup == "plant1" && wire.edgeNode == "machine" && wire.primaryHost == "scada")
    }

    @Test("Timestamps format and parse in UTC without tzdata", arguments: [
        "2026-03-02T06:00:00.000Z", "1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2100-12-31T12:30:15.250Z",
    ])
    func timestamps(text: String) throws {
        let date = try #require(ISO8601Parsing.date(text))
        #expect(ISO8601Parsing.string(date) == text)
    }

    @Test("A timestamp's fraction reads as the same Double as the decimal it writes, for one to nine digits")
    func timestampFractions() throws {
        for digits in ["5", "25", "125", "999", "0001", "12345", "654321", "7654321", "87654321", "123456789"] {
            let date = try #require(ISO8601Parsing.date("2026-03-02T06:00:00.\(digits)Z"))
            let whole = try #require(ISO8601Parsing.date("2026-03-02T06:00:00Z"))
            #expect(date.timeIntervalSince1970 == whole.timeIntervalSince1970 + Double("0." + digits)!, "\(digits)")
        }
    }

    @Test("Timestamps with anything but digits in a field, or the wrong shape, are refused", arguments: [
        "2026-+3-02T06:00:00Z", "2026-03-02T+6:00:00Z", "2026-03-02T06:00:00.+5Z", "2026-03-02T06:00:00.Z", "2026-03-02T06:00:00.1234567890Z",
        "2026-03-02 06:00:00Z", "2026-03-02T06:00:00", "2026-02-30T06:00:00Z", "1969-12-31T23:59:59Z", "2026-03-02T24:00:00Z", "２０26-03-02T06:00:00Z",
    ])
    func timestampsRefused(text: String) {
        #expect(ISO8601Parsing.date(text) == nil)
    }

    @Test("Time windows handle midnight")
    func windows() {
        let night = TimeWindow(name: "night", start: ClockTime.parse("22:00")!, end: ClockTime.parse("06:00")!)
        #expect(night.contains(secondsOfDay: 23 * 3600))
        #expect(night.contains(secondsOfDay: 3600))
        #expect(!night.contains(secondsOfDay: 12 * 3600))
        let allDay = TimeWindow(name: "all", start: ClockTime.parse("00:00")!, end: ClockTime.parse("24:00")!)
        #expect(allDay.contains(secondsOfDay: 0) && allDay.contains(secondsOfDay: 86_399))
    }
}
