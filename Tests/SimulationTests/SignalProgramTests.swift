import Foundation
import Testing
import TestSupport
@testable import Simulation
import TwinModel

@Suite("Signal programs")
struct SignalProgramTests {
    @Test("A fleet's machines of one kind share a program; a machine with its own overrides, or its own sample interval, gets its own")
    func sharing() throws {
        let scenario = try Fixtures.scenario(kind: "cnc_machining_centre", machine: """
                          - id: m2
                            kind: cnc_machining_centre
                          - id: m3
                            kind: cnc_machining_centre
                            properties:
                              spindle_speed: { limits: [0, 12500] }
                          - id: m4
                            kind: screw_compressor
            """)
        let fleet = MachineSimulator.fleet(scenario.machines, scenario: scenario)
        #expect(fleet.map(\.instance.id) == ["m1", "m2", "m3", "m4"])
        #expect(fleet[0].program === fleet[1].program)
        #expect(fleet[2].program !== fleet[0].program, "m3 overrides a property")
        #expect(fleet[3].program !== fleet[0].program, "another kind")
        let speed = try #require(fleet[2].program.names.firstIndex(of: "spindle_speed"))
        #expect(fleet[2].program.signals[speed].upperLimit == 12500)
        #expect(fleet[0].program.signals[speed].upperLimit == 15000)

        var programs = SignalProgramCache()
        let slow = programs.program(for: scenario.machines[0].kind, interval: 2)
        #expect(programs.program(for: scenario.machines[1].kind, interval: 2) === slow)
        #expect(programs.program(for: scenario.machines[1].kind, interval: 1) !== slow, "the lag factors depend on the interval")
        var resignalled = scenario.machines[1].kind
        resignalled.profile.signals[0].signal.noise = 9
        #expect(programs.program(for: resignalled, interval: 2) !== slow, "a signal of its own, with the kind's properties")
    }

    @Test("A per-state target is read from the table by the state's position among all states")
    func stateTable() throws {
        #expect(MachineState.allCases.map(\.index) == Array(MachineState.allCases.indices))
        let kind = try #require(Fixtures.kinds["cnc_machining_centre"])
        let program = SignalProgram(kind: kind, interval: 1)
        for (index, property) in kind.interface.properties.enumerated() {
            let signal = program.signals[index]
            guard let target = kind.profile.signals[index].signal.target else {
                #expect(signal.targetRow == -1, "\(property.name)")
                continue
            }
            for state in MachineState.allCases {
                #expect(program.target(of: signal, in: state) == target.value(in: state), "\(property.name) in \(state)")
            }
        }
    }

    @Test("Following and coupled properties are found by index; lag factors and rounding scales are those of the spec")
    func resolvedTerms() throws {
        let kind = try #require(Fixtures.kinds["cnc_machining_centre"])
        let program = SignalProgram(kind: kind, interval: 0.5)
        var termsSeen = 0
        for (index, property) in kind.interface.properties.enumerated() {
            let signal = program.signals[index]
            let spec = kind.profile.signals[index].signal
            for (term, resolved) in zip(spec.follow + spec.couple, program.terms[signal.follow] + program.terms[signal.couple]) {
                #expect(kind.interface.properties[resolved.index].name == term.property)
                #expect(resolved.coefficient == term.coefficient)
                termsSeen += 1
            }
            // A lag of zero is no lag: the level jumps.
            #expect(signal.lagFactor == spec.lag.flatMap { $0 > .zero ? SignalMath.lagFactor(dt: 0.5, tau: $0.secondsValue) : nil })
            #expect(signal.scale == SignalMath.roundingScale(decimals: property.decimals))
        }
        #expect(termsSeen > 0, "the CNC kind follows and couples properties")
    }

    @Test("A fleet sharing programs runs each machine exactly as a simulator of its own does, faults included", .cpuBound)
    func fleetRunsAsAlone() throws {
        let scenario = try ScenarioLoader.load(file: Fixtures.root.appendingPathComponent("simulations/textile-weaving-hall.yaml").path, kinds: Fixtures.kinds)
        let machines = Array(scenario.machines.prefix(11)) + scenario.machines.dropFirst(11).filter { !$0.scheduledFaults.isEmpty }.prefix(1)
        #expect(machines.contains { !$0.scheduledFaults.isEmpty }, "a scripted fault runs in the first hours")
        var fleet = MachineSimulator.fleet(machines, scenario: scenario)
        var alone = machines.map { MachineSimulator(instance: $0, scenario: scenario) }
        #expect(Set(fleet.map { ObjectIdentifier($0.program) }).count < fleet.count, "machines of a kind share a program")
        var events = 0
        for hour in 1...3 {
            for index in fleet.indices {
                let shared = fleet[index].advance(to: Double(hour) * 3600)
                #expect(shared == alone[index].advance(to: Double(hour) * 3600), "\(machines[index].id), hour \(hour)")
                events += shared.count
            }
        }
        #expect(events > 5_000)
    }

    @Test("Same bytes: small and heap strings, empty ones, and canonically equal spellings that are other bytes")
    func sameBytes() {
        let long = "spindle_motor_temperature_°C"
        #expect(String(decoding: Array(long.utf8), as: UTF8.self).hasSameBytes(as: long), "a copy with storage of its own")
        #expect(!long.hasSameBytes(as: long.replacingOccurrences(of: "°", with: "º")), "as long, other bytes")
        #expect("".hasSameBytes(as: ""))
        #expect(!"".hasSameBytes(as: "a"))
        #expect("rpm".hasSameBytes(as: "rpm") && !"rpm".hasSameBytes(as: "rps"))
        #expect("q\u{0301}\u{0316}" == "q\u{0316}\u{0301}" && !"q\u{0301}\u{0316}".hasSameBytes(as: "q\u{0316}\u{0301}"))
        #expect(!"\u{2126}".hasSameBytes(as: "\u{03A9}"))
    }
}
