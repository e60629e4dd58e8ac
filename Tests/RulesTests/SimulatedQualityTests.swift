import Foundation
import Simulation
import Testing
import TestSupport
import TwinModel
import Twins

/// What the simulator produces, judged by the twin's own range check.
@Suite("Simulated values through the twin's range check")
struct SimulatedQualityTests {
    /// Up to two machines of each kind in `scenario` (the others of a kind differ only in their random stream), without
    /// their scheduled and random faults.
    static func healthyMachines(of scenario: Scenario) -> [MachineInstance] {
        var seen: [String: Int] = [:]
        return scenario.machines.compactMap { instance in
            seen[instance.kind.id, default: 0] += 1
            guard seen[instance.kind.id]! <= 2 else { return nil }
            var healthy = instance
            healthy.scheduledFaults = []
            healthy.randomFaults = false
            return healthy
        }
    }

    @Test("Without a fault, no machine of a shipped scenario reads out of range while it is not running: idle for an hour before the shift, set-up, microstops, a stop and the start after it", .cpuBound)
    func nothingOutOfRangeAtRest() throws {
        var flagged: [String: (count: Int, example: String)] = [:]
        var checked = 0
        for var scenario in try ScenarioRun.shippedScenarios() {
            scenario.start -= 3600
            for instance in Self.healthyMachines(of: scenario) {
                var run = ScenarioRun(instance, of: scenario, rules: false)
                let observe: (ScenarioRun.Step, Twin) -> Void = { step, twin in
                    guard case .telemetry(let sample)? = step.event else { return }
                    checked += sample.values.count
                    guard twin.state != .running else { return }
                    for reading in sample.values where twin.reported[reading.property]?.quality == .outOfRange {
                        let key = "\(scenario.id) \(instance.kind.id) \(reading.property) while \(twin.state)"
                        flagged[key, default: (0, "\(instance.id) \(reading.value) \(reading.unit) at \(sample.time)")].count += 1
                    }
                }
                run.advance(to: 3 * 3600, observe)
                #expect(run.command(MachineCommandRequest(command: .stop)) == nil)
                run.advance(to: 3 * 3600 + 1200, observe)
                #expect(run.command(MachineCommandRequest(command: .start)) == nil)
                run.advance(to: 4 * 3600, observe)
            }
        }
        #expect(checked > 1_000_000, "readings checked")
        #expect(flagged.isEmpty, "\(flagged.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.count) readings, e.g. \($0.value.example)" })")
    }
}
