import Foundation
import Testing
@testable import TwinModel

/// The repository's folders, found from this source file.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var twins: String { root.appendingPathComponent("twins").path }
    static var simulations: String { root.appendingPathComponent("simulations").path }
}

@Suite("Machine kinds")
struct KindLoaderTests {
    @Test("Every shipped kind loads and covers the required machines")
    func shippedKinds() throws {
        let kinds = try KindLoader.loadDirectory(Repository.twins)
        for required in ["cnc_machining_centre", "fibre_laser_cutter", "press_brake", "weaving_loom", "robot_welding_cell", "screw_compressor"] {
            #expect(kinds[required] != nil, "missing kind \(required)")
        }
        for kind in kinds.values {
            #expect(!kind.interface.properties.isEmpty)
            #expect(DependencyOrder.order(kind.profile.signals) != nil)
            for property in kind.interface.properties {
                #expect(property.limits.contains(property.normal.lowerBound) && property.limits.contains(property.normal.upperBound))
            }
            #expect(kind.profile.faults.contains { if case .networkLoss = $0.effect { true } else { false } }, "\(kind.id) can lose its network")
        }
    }

    @Test("The CNC kind reads as written")
    func cncDetails() throws {
        let kind = try KindLoader.load(file: Repository.twins + "/cnc-machining-centre.yaml")
        #expect(kind.id == "cnc_machining_centre")
        #expect(kind.interface.sampleInterval == .seconds(1))
        let speed = try #require(kind.interface.property(named: "spindle_speed"))
        #expect(speed.unit == "rpm")
        #expect(speed.normal == 0...12000)
        let signal = try #require(kind.profile.signal(of: "spindle_speed"))
        #expect(signal.target?.value(in: .running) == 9500)
        #expect(signal.target?.value(in: .stopped) == 0)
        #expect(signal.lag == .seconds(3))
        #expect(kind.interface.production.idealCycleTime == .seconds(240))
        #expect(kind.interface.states.allows(.running, .held))
        #expect(!kind.interface.states.allows(.maintenance, .running))
        guard case .bearingWear(let property, _, let failsAt) = kind.profile.fault(named: "spindle_bearing")?.effect else {
            Issue.record("spindle_bearing is a bearing_wear fault")
            return
        }
        #expect(property == "bearing_wear" && failsAt == 85)
    }

    static let valid = """
        kind: test_kind
        properties:
          speed:
            unit: rpm
            normal: [0, 100]
            signal: { target: { running: 90 }, lag: 2s }
        """

    @Test("Bad input gives precise errors with line and column", arguments: [
        ("kind: k\nproperties:\n  speed:\n    unit: rmp\n    normal: [0, 1]\n", 4, 11, "unknown unit 'rmp'", "did you mean 'rpm'?"),
        ("kind: k\nproperties:\n  speed:\n    unit: rpm\n    normal: [5, 1]\n", 5, 13, "impossible: low end 5.0 is above high end 1.0", ""),
        ("kind: k\nproperties:\n  speed:\n    unit: rpm\n    normal: [0, 10]\n    limits: [0, 5]\n", 6, 13, "outside its limits", ""),
        ("kind: k\nproperties:\n  speed:\n    unit: rpm\n    normal: [0, 1]\n    signal: { couple: { sped: 1 } }\n", 3, 3, "unknown property 'sped'", "did you mean 'speed'?"),
        ("kind: k\nproperties:\n  a:\n    unit: rpm\n    normal: [0, 1]\n    signal: { couple: { b: 1 } }\n  b:\n    unit: rpm\n    normal: [0, 1]\n    signal: { couple: { a: 1 } }\n", 3, 3, "cyclic coupling: a → b → a", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\nstates:\n  initial: runing\n", 5, 12, "unknown state 'runing'", "did you mean 'running'?"),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1], normal_while: [running, runing]}\n", 3, 62, "unknown state 'runing'", "did you mean 'running'?"),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1], signal: {constant: 1, rest: fast}}\n", 3, 66, "rest", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\nfaults:\n  f: { effect: overheat, property: speed }\n", 5, 16, "unknown fault effect 'overheat'", "did you mean 'overheating'?"),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\nfaults:\n  f: { effect: sensor_stuck, property: sped }\n", 5, 40, "unknown property 'sped' in fault 'f'", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1], nomral: 3}\n", 3, 38, "unknown key 'nomral'", "did you mean 'normal'?"),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, .nan]}\n", 3, 34, "finite number", ""),
        ("kind: k\nproperties:\n  speed: [unit: rpm\n", 4, 1, "malformed YAML", ""),
        ("kind: k\nproperties:\n  speed:\n    unit: rpm\n    normal: [0, 1]\n    signal: { lag: 5s, constant: 1 }\n", 6, 20, "lag needs a target", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\n  speed: {unit: rpm, normal: [0, 2]}\n", 3, 3, "duplicate key 'speed'", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\nfaults:\n  n: { effect: network_loss }\n", 5, 16, "needs a duration", ""),
        ("kind: k\nproperties:\n  w: {unit: '%', normal: [0, 1], signal: {wear: {per_hour: 1}}}\nfaults:\n  b: { effect: bearing_wear, property: w, acceleration: 0, fails_at: 1 }\n", 5, 57, "acceleration must be positive", ""),
        ("kind: k\nproperties:\n  speed: {unit: rpm, normal: [0, 1]}\nstates:\n  initial: idle\n  transitions: { idle: [stopped], stopped: [idle] }\n", 5, 3, "leads from 'idle' to 'running'", ""),
    ])
    func errors(yaml: String, line: Int, column: Int, message: String, hint: String) {
        let thrown = #expect(throws: ModelErrors.self) { try KindLoader.load(yaml: yaml, file: "bad.yaml") }
        let error = thrown?.errors.first
        #expect(error?.location == SourceLocation(file: "bad.yaml", line: line, column: column), "\(thrown?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        if !hint.isEmpty { #expect(error?.message.contains(hint) == true, "\(error?.message ?? "")") }
    }

    @Test("Several errors in one file are all reported")
    func manyErrors() {
        let yaml = "kind: k\nproperties:\n  a: {unit: rmp, normal: [0, 1]}\n  b: {unit: rpm, normal: [3, 1]}\n"
        let thrown = #expect(throws: ModelErrors.self) { try KindLoader.load(yaml: yaml, file: "two.yaml") }
        #expect(thrown?.errors.map(\.location.line) == [3, 4])
        #expect(thrown?.description.contains("two.yaml:3:") == true)
    }

    @Test("A valid minimal kind gets defaults")
    func minimal() throws {
        let kind = try KindLoader.load(yaml: Self.valid, file: "ok.yaml")
        #expect(kind.interface.states.initial == .idle)
        #expect(kind.interface.commands == Set(MachineCommand.allCases))
        #expect(kind.interface.production.partsPerCycle == 1)
    }

    @Test("Durations read the way people write them", arguments: [
        ("90", 90.0), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("250ms", 0.25), ("1.5h", 5400),
    ])
    func durations(text: String, seconds: Double) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(abs(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 - seconds) < 1e-9)
    }

    @Test("Malformed or absurdly long durations are refused", arguments: ["", "5x", "m", "1h30", "-5s", "5 s", "1e21", "99999999999d", "inf", "nan"])
    func badDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
