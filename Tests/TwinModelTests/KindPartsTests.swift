import Foundation
import Testing
@testable import TwinModel

@Suite("A kind's interface and simulation profile")
struct KindPartsTests {
    /// A small kind; the arguments change only how it is simulated.
    static func press(signal: String = "{ target: { running: 600 }, lag: 5s, noise: 2 }", spikes: String = "magnitude: 50, duration: 5m",
                      mtbf: String = "100h", scrap: String = "0.01") -> String {
        """
        kind: press
        name: Press
        description: A small press
        sample_interval: 2s
        properties:
          force: { unit: kN, normal: [0, 800], limits: [0, 1000], decimals: 1, signal: \(signal) }
          strokes: { type: integer, unit: count, normal: [0, 10] }
        states:
          initial: idle
          transitions: { idle: [running], running: [idle, stopped], stopped: [idle] }
        production: { ideal_cycle_time: 30s, parts_per_cycle: 2, scrap_rate: \(scrap), cycle_variation: 0.1 }
        commands: [start, stop, inject_fault, clear_fault]
        faults:
          overload: { effect: sensor_spikes, property: force, \(spikes), description: force sensor spikes }
        reliability: { mtbf: \(mtbf), mttr: 1h, faults: [overload] }
        """
    }

    @Test("The interface says what the machine is; the profile how it is simulated")
    func parts() throws {
        let kind = try KindLoader.load(yaml: Self.press(), file: "press.yaml")
        let interface = kind.interface
        #expect(interface.id == "press" && interface.name == "Press" && interface.description == "A small press")
        #expect(interface.sampleInterval == .seconds(2))
        #expect(interface.properties.map(\.name) == ["force", "strokes"])
        #expect(interface.properties.map(\.type) == [.number, .integer])
        #expect(interface.properties.map(\.unit) == ["kN", "count"])
        #expect(interface.properties.map(\.normal) == [0...800, 0...10])
        #expect(interface.properties.map(\.limits) == [0...1000, 0...10])
        #expect(interface.properties.map(\.decimals) == [1, 0])
        #expect(interface.states.initial == .idle && interface.states.allows(.running, .stopped) && !interface.states.allows(.idle, .stopped))
        #expect(interface.commands == [.start, .stop, .injectFault, .clearFault])
        #expect(interface.faults == [FaultSpec(name: "overload", effect: "sensor_spikes", description: "force sensor spikes",
                                               location: SourceLocation(file: "press.yaml", line: 14, column: 3))])
        #expect(interface.production == ProductionSpec(idealCycleTime: .seconds(30), partsPerCycle: 2))

        let profile = kind.profile
        #expect(profile.signals.map(\.property) == ["force", "strokes"])
        #expect(profile.signal(of: "force")?.target?.value(in: .running) == 600)
        #expect(profile.signal(of: "force")?.lag == .seconds(5) && profile.signal(of: "force")?.noise == 2)
        #expect(profile.signal(of: "strokes")?.constant == 5, "without a signal, the middle of the normal range")
        guard case .sensorSpikes("force", 50, 0.05) = profile.fault(named: "overload")?.effect else {
            Issue.record("overload spikes the force sensor")
            return
        }
        #expect(profile.fault(named: "overload")?.duration == .seconds(300))
        #expect(profile.reliability?.mtbf == .seconds(360_000) && profile.reliability?.faults == ["overload"])
        #expect(profile.production.scrapRate == 0.01 && profile.production.cycleVariation == 0.1)
    }

    @Test("Changing only how a kind is simulated leaves its interface as it was")
    func interfaceWithoutSimulation() throws {
        let plain = try KindLoader.load(yaml: Self.press(), file: "press.yaml")
        let other = try KindLoader.load(yaml: Self.press(signal: "{ constant: 1 }", spikes: "magnitude: 9, probability: 0.5", mtbf: "2h", scrap: "0.5"),
                                        file: "press.yaml")
        #expect(other.interface == plain.interface)
        #expect(other.profile.signal(of: "force")?.constant == 1)
        #expect(other.profile.fault(named: "overload")?.duration == nil)
        #expect(other.profile.reliability?.mtbf == .seconds(7200))
        #expect(other.profile.production.scrapRate == 0.5)
    }

    @Test("Every shipped kind's profile lines up with its interface: a signal per property, an effect per fault, in order")
    func shippedKindsLineUp() throws {
        for kind in try KindLoader.loadDirectory(Repository.twins).values {
            #expect(kind.profile.signals.map(\.property) == kind.interface.properties.map(\.name), "\(kind.id)")
            #expect(kind.profile.faults.map(\.name) == kind.interface.faults.map(\.name), "\(kind.id)")
            #expect(kind.profile.faults.map(\.effect.kind) == kind.interface.faults.map(\.effect), "\(kind.id)")
            let names = kind.interface.faults.map(\.name)
            #expect((kind.profile.reliability?.faults ?? []).filter { !names.contains($0) } == [], "\(kind.id)")
        }
    }

    @Test("A scenario machine's overrides land in the part they belong to; its kind is left alone")
    func overridesByPart() throws {
        let kinds = try KindLoader.loadDirectory(Repository.twins)
        let scenario = try ScenarioLoader.load(yaml: """
            scenario: s
            sites: [{ id: site, areas: [{ id: area, lines: [{ id: line, machines: [{
              id: m1, kind: cnc_machining_centre,
              properties: { spindle_speed: { limits: [0, 12500] }, spindle_load: { signal: { constant: 42 } },
                            coolant_flow: { normal_while: [running, setup] } },
              production: { ideal_cycle_time: 70s, scrap_rate: 0.2 } }] }] }] }]
            """, file: "s.yaml", kinds: kinds)
        let kind = try #require(kinds["cnc_machining_centre"])
        let machine = scenario.machines[0].kind
        #expect(machine.interface.property(named: "spindle_speed")?.limits == 0...12500)
        #expect(kind.interface.property(named: "spindle_speed")?.limits != 0...12500)
        #expect(machine.profile.signal(of: "spindle_load")?.constant == 42)
        #expect(kind.profile.signal(of: "spindle_load")?.constant != 42)
        #expect(machine.interface.property(named: "coolant_flow")?.normalStates == [.running, .setup])
        #expect(kind.interface.property(named: "coolant_flow")?.normalStates == [.running])
        #expect(machine.interface.production.idealCycleTime == .seconds(70))
        #expect(machine.profile.production.scrapRate == 0.2)
        #expect(machine.profile.signals.map(\.property) == machine.interface.properties.map(\.name))
    }
}
