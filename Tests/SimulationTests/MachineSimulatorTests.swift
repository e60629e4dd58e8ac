import Foundation
import Testing
@testable import Simulation
import TwinModel

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let kinds: [String: MachineKind] = try! KindLoader.loadDirectory(root.appendingPathComponent("twins").path)

    /// One machine of `kind` on a day shift 06:00-14:00, starting at `start`.
    static func scenario(kind: String, start: String = "2026-03-02T05:00:00Z", seed: Int = 99, extra: String = "", machine: String = "") throws -> Scenario {
        let yaml = """
            scenario: test
            enterprise: test
            seed: \(seed)
            start: "\(start)"
            shifts:
              - { name: day, start: "06:00", end: "14:00" }
            setup_time: 5m
            \(extra)
            sites:
              - id: s
                areas:
                  - id: a
                    lines:
                      - id: l
                        machines:
                          - id: m1
                            kind: \(kind)
                            random_faults: false
            \(machine)
            """
        return try ScenarioLoader.load(yaml: yaml, file: "test.yaml", kinds: kinds)
    }

    static func simulator(kind: String = "cnc_machining_centre", start: String = "2026-03-02T05:00:00Z", seed: Int = 99, extra: String = "", machine: String = "") throws -> MachineSimulator {
        let scenario = try scenario(kind: kind, start: start, seed: seed, extra: extra, machine: machine)
        return MachineSimulator(instance: scenario.machines[0], scenario: scenario)
    }
}

extension [SimulationEvent] {
    var samples: [TelemetrySample] { compactMap { if case .telemetry(let sample) = $0 { sample } else { nil } } }
    var states: [StateChange] { compactMap { if case .state(let change) = $0 { change } else { nil } } }
    var counters: [ProductionCounters] { compactMap { if case .counters(let counters) = $0 { counters } else { nil } } }
    var network: [Bool] { compactMap { if case .network(let up, _) = $0 { up } else { nil } } }
}

@Suite("Simulated machines")
struct MachineSimulatorTests {
    @Test("Values respect the state: before the shift the spindle is at exactly 0 rpm; in the shift it turns")
    func stateRespectingValues() throws {
        var machine = try Fixtures.simulator()
        let beforeShift = machine.advance(to: 3600)  // 05:00 → 06:00
        #expect(beforeShift.samples.count == 3600)
        #expect(beforeShift.samples.dropLast().allSatisfy { $0.value(of: "spindle_speed") == 0 && $0.value(of: "coolant_flow") == 0 },
                "05:00 to 05:59:59 is before the shift")
        #expect(machine.state == .setup, "the shift starts with set-up")
        let inShift = machine.advance(to: 3600 + 1800)
        #expect(inShift.states.map(\.state) == [.running])
        let running = inShift.samples.suffix(600).compactMap { $0.value(of: "spindle_speed") }
        let mean = running.reduce(0, +) / Double(running.count)
        #expect(abs(mean - 9500) < 20)
        #expect(running.allSatisfy { (9300...9700).contains($0) })
        let temperature = inShift.samples.last?.value(of: "spindle_temperature") ?? 0
        #expect(temperature > 35, "the spindle warms up under load (\(temperature))")

        #expect(machine.handle(MachineCommandRequest(command: .stop)) == nil)
        let stopped = machine.advance(to: 3600 + 1800 + 120)
        #expect(stopped.states.first?.state == .stopped)
        #expect(stopped.samples.last?.value(of: "spindle_speed") == 0, "a stopped spindle turns at 0 rpm")
        #expect(stopped.counters.isEmpty)
    }

    @Test("Same scenario and seed give the same telemetry, however time is chunked")
    func determinism() throws {
        var once = try Fixtures.simulator(kind: "weaving_loom", extra: "microstops: { per_hour: 6, duration: 2m }")
        var chunked = try Fixtures.simulator(kind: "weaving_loom", extra: "microstops: { per_hour: 6, duration: 2m }")
        let all = once.advance(to: 4 * 3600)
        var pieces: [SimulationEvent] = []
        var time = 0.0
        for chunk in [0.4, 13.0, 999.7, 1.1, 3600, 10_000] {
            time = min(time + chunk, 4 * 3600)
            pieces += chunked.advance(to: time)
        }
        pieces += chunked.advance(to: 4 * 3600)
        #expect(all == pieces)
        #expect(all.samples.count == 4 * 3600)
        #expect(all.samples.first.map { ISO8601Parsing.string($0.time) } == "2026-03-02T05:00:01.000Z")
        #expect(all.samples.map(\.sequence) == Array(1...UInt64(4 * 3600)))
        #expect(all.states.contains { $0.reason == "microstop" }, "microstops happen at 6 per hour")

        var otherSeed = try Fixtures.simulator(kind: "weaving_loom", seed: 100, extra: "microstops: { per_hour: 6, duration: 2m }")
        #expect(otherSeed.advance(to: 4 * 3600) != all)
    }

    @Test("Production counts follow the cycle time; tool breakage spikes the scrap")
    func production() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        let shift = machine.advance(to: 4 * 3600)
        let counters = try #require(shift.counters.last)
        // 4 h less 5 min set-up, cycles of 240-252 s: 55 to 58 parts.
        #expect((55...58).contains(counters.total), "\(counters.total)")
        #expect(counters.good + counters.scrap == counters.total)

        #expect(machine.handle(MachineCommandRequest(command: .injectFault, fault: "tool_breakage", duration: .seconds(7200))) == nil)
        let broken = machine.advance(to: 6 * 3600)
        let after = try #require(broken.counters.last)
        let scrapRate = Double(after.scrap - counters.scrap) / Double(after.total - counters.total)
        #expect(scrapRate > 0.35, "scrap spikes from 1.5 % to 60 % (\(scrapRate))")
    }

    @Test("Bearing wear: vibration rises over hours, then the machine fails; replacing the bearing fixes it")
    func bearingWear() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T00:00:00Z", extra: "",
                                             machine: "")
        machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 600)
        let healthy = machine.values[machine.instance.kind.interface.properties.firstIndex { $0.name == "vibration" }!]
        #expect(healthy < 3)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "spindle_bearing"))
        _ = machine.handle(MachineCommandRequest(command: .start))  // run through the night
        var failedAt: Double?
        var vibrationAt10h = 0.0
        var time = 600.0
        while time < 40 * 3600, failedAt == nil {
            time += 600
            let events = machine.advance(to: time)
            if time == 600 + 10 * 3600 { vibrationAt10h = events.samples.last?.value(of: "vibration") ?? 0 }
            if let failure = events.states.first(where: { $0.state == .fault }) {
                failedAt = failure.time.timeIntervalSince(Date(timeIntervalSince1970: 1_772_431_200))
                #expect(failure.reason.contains("spindle_bearing"))
            }
        }
        let failure = try #require(failedAt)
        #expect((15 * 3600...25 * 3600).contains(failure), "fails after about a day of operation (\(failure / 3600) h)")
        #expect(vibrationAt10h > healthy + 2, "vibration rises well before the failure")
        #expect(machine.handle(MachineCommandRequest(command: .start)) == CommandRejection("the machine is in fault: reset it first"))
        #expect(machine.handle(MachineCommandRequest(command: .clearFault, fault: "spindle_bearing")) == nil)
        #expect(machine.state == .stopped)
        let wear = machine.values[machine.instance.kind.interface.properties.firstIndex { $0.name == "bearing_wear" }!]
        _ = machine.advance(to: time + 1)
        #expect(machine.values[machine.instance.kind.interface.properties.firstIndex { $0.name == "bearing_wear" }!] < wear - 50, "a new bearing")
    }

    @Test("A failed bearing: in fault at 0 rpm the vibration is at rest, not at its failure level; a replaced bearing starts new, not at the scenario's starting wear",
          arguments: [(wear: "{ per_hour: 0.01, initial: 80 }", new: 0.0), (wear: "{ per_hour: 0.01, initial: 80, new: 2 }", new: 2)])
    func replacedBearing(wear: String, new: Double) throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z", machine: """
                            properties:
                              bearing_wear: { signal: { wear: \(wear) } }
            """)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "spindle_bearing"))
        let worn = machine.advance(to: 4 * 3600)
        let failure = try #require(worn.states.first { $0.state == .fault }, "80 % wears to 85 % in about two hours")
        let vibration = worn.samples.filter { $0.time < failure.time }.compactMap { $0.value(of: "vibration") }.max() ?? 0
        #expect(vibration > 6.5, "running on the failing bearing shakes (\(vibration) mm/s)")
        let inFault = worn.samples.filter { $0.time > failure.time.addingTimeInterval(60) }
        #expect(!inFault.isEmpty && inFault.allSatisfy { $0.value(of: "spindle_speed") == 0 && $0.value(of: "vibration")! < 0.5 },
                "a still spindle does not vibrate: \(inFault.last.map { "\($0.values)" } ?? "no samples")")

        #expect(machine.handle(MachineCommandRequest(command: .clearFault, fault: "spindle_bearing")) == nil)
        let replaced = machine.advance(to: 4 * 3600 + 1).samples
        #expect(replaced.last?.value(of: "bearing_wear") == new, "a new bearing, not the 80 % the scenario started with")
    }

    @Test("Coolant loss: the flow stops, the spindle overheats and trips")
    func overheating() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 3600)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "coolant_loss"))
        let events = machine.advance(to: 3 * 3600)
        #expect(events.samples.dropFirst(30).first?.value(of: "coolant_flow") == 0)
        let trip = try #require(events.states.first { $0.state == .fault })
        #expect(trip.reason.contains("spindle_temperature reached 95"))
        #expect(events.samples.map { $0.value(of: "spindle_temperature") ?? 0 }.max()! >= 95)
        #expect(machine.handle(MachineCommandRequest(command: .reset)) == CommandRejection("clear the fault (coolant_loss) before resetting"))
    }

    @Test("Sensor faults change what is reported, not what the machine does")
    func sensorFaults() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 1200)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "vibration_sensor_stuck", duration: .seconds(300)))
        let stuck = machine.advance(to: 1499).samples
        #expect(Set(stuck.compactMap { $0.value(of: "vibration") }).count == 1, "a stuck sensor repeats one value")

        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "vibration_dropout", duration: .seconds(60)))
        let dropped = machine.advance(to: 1558).samples
        #expect(dropped.count == 59 && dropped.allSatisfy { $0.value(of: "vibration") == nil })
        #expect(machine.advance(to: 1561).samples.last?.value(of: "vibration") != nil, "it comes back when the fault clears")

        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "temperature_drift", duration: .seconds(7200)))
        let driftIndex = machine.instance.kind.interface.properties.firstIndex { $0.name == "spindle_temperature" }!
        _ = machine.advance(to: 1561 + 3600)
        let reported = machine.advance(to: 1562 + 3600).samples.last!.value(of: "spindle_temperature")!
        #expect(abs(reported - machine.values[driftIndex] - 6) < 0.2, "drifts 6 °C per hour")

        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "load_spikes", duration: .seconds(600)))
        let spiky = machine.advance(to: 1562 + 3600 + 600).samples.compactMap { $0.value(of: "spindle_load") }
        #expect(spiky.filter { $0 > 100 || $0 < 10 }.count > 10, "spikes of ±60 %")
    }

    @Test("Network loss drops and restores the connection; power loss takes the machine offline")
    func networkAndPower() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 600)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "network_loss"))
        let lost = machine.advance(to: 900)
        #expect(lost.network == [false, true], "down now, back after the fault's 2 min")
        #expect(lost.samples.count == 300, "the machine keeps working while its network is down")

        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "power_loss"))
        let dark = machine.advance(to: 1199)
        #expect(dark.network == [false])
        #expect(dark.samples.isEmpty, "no power, no telemetry")
        #expect(machine.state == .offline)
        let restored = machine.advance(to: 1300)
        #expect(restored.network == [true])
        #expect(restored.states.first?.state == .idle)
        #expect(restored.states.contains { $0.state == .setup })
    }

    @Test("Commands are checked", arguments: [
        (MachineCommandRequest(command: .injectFault, fault: "meltdown"), "unknown fault 'meltdown'"),
        (MachineCommandRequest(command: .setSpeed, value: 3), "set_speed needs a value from 0.1 to 1.5"),
        (MachineCommandRequest(command: .clearFault, fault: "coolant_loss"), "fault 'coolant_loss' is not active"),
        (MachineCommandRequest(command: .hold), "only a running machine can be held"),
        (MachineCommandRequest(command: .reset), "nothing to reset"),
    ])
    func rejectedCommands(request: MachineCommandRequest, reason: String) throws {
        var machine = try Fixtures.simulator()
        _ = machine.advance(to: 10)
        guard let rejection = machine.handle(request) else {
            Issue.record("\(request.command) should be rejected")
            return
        }
        #expect(rejection.reason.contains(reason), "\(rejection.reason)")
    }

    @Test("A command whose transition the kind forbids is refused, not silently ignored")
    func refusedTransitions() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z", extra: "microstops: { per_hour: 120, duration: 5m }")
        var time = 0.0
        while machine.state != .starved, time < 4 * 3600 {
            time += 1
            _ = machine.advance(to: time)
        }
        #expect(machine.state == .starved)
        // The CNC kind allows starved → running, stopped, idle, but not starved → held.
        #expect(machine.handle(MachineCommandRequest(command: .hold))?.reason == "cnc_machining_centre cannot go from starved to held")
        #expect(machine.handle(MachineCommandRequest(command: .reset)) == nil, "a starved machine can be reset")
        #expect(machine.state == .idle)
    }

    @Test("The network comes back only when no network or power fault remains")
    func overlappingOutages() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 600)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "power_loss", duration: .seconds(3600)))
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "network_loss", duration: .seconds(600)))
        var events = machine.advance(to: 1300)
        #expect(events.network == [false], "one drop for two faults; none back after the network fault alone ends")
        #expect(machine.handle(MachineCommandRequest(command: .clearFault, fault: "power_loss")) == nil)
        events = machine.advance(to: 1301)
        #expect(events.network == [true])
        #expect(events.states.first?.state == .idle)
    }

    @Test("A tripped fault survives a power cycle")
    func latchedFault() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 1800)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "coolant_loss"))
        _ = machine.advance(to: 3 * 3600)
        #expect(machine.state == .fault)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "power_loss", duration: .seconds(60)))
        let events = machine.advance(to: 3 * 3600 + 120)
        #expect(machine.state == .fault, "back from the power cut still in fault: \(events.states.map(\.state))")
        #expect(!events.states.contains { $0.state == .running })
    }

    @Test("Counters carry the ideal time per part, so OEE performance is right for multi-part cycles")
    func idealTimePerPart() throws {
        var laser = try Fixtures.simulator(kind: "fibre_laser_cutter", start: "2026-03-02T06:00:00Z")
        let produced = laser.advance(to: 3600).counters
        let first = try #require(produced.first)
        #expect(first.total == 12, "a nested sheet yields 12 parts")
        #expect(first.idealCycleTime == .seconds(15), "3 min per sheet ÷ 12 parts")
    }

    @Test("Cycles shorter than the sample interval are all counted")
    func fastCycles() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z", machine: "                production: { ideal_cycle_time: 0.25s }")
        _ = machine.advance(to: 3600)
        // 55 min of running (5 min set-up) at 0.25 to 0.26 s per cycle.
        #expect((12_600...13_200).contains(machine.counters.total), "\(machine.counters.total)")
    }

    @Test("Hold, start and set_speed act on the state and the production rate")
    func commands() throws {
        var machine = try Fixtures.simulator(start: "2026-03-02T06:00:00Z")
        _ = machine.advance(to: 900)
        #expect(machine.state == .running)
        #expect(machine.handle(MachineCommandRequest(command: .hold)) == nil)
        let held = machine.advance(to: 1200)
        #expect(machine.state == .held, "a held machine stays held: \(held.states.map(\.state))")
        #expect(machine.handle(MachineCommandRequest(command: .start)) == nil)
        #expect(machine.state == .running)
        #expect(machine.handle(MachineCommandRequest(command: .setSpeed, value: 0.5)) == nil)
        let slow = machine.advance(to: 1200 + 4 * 3600).counters
        #expect((27...30).contains(slow.count), "half speed: about 30 cycles in 4 h, not 60 (\(slow.count))")
    }
}
