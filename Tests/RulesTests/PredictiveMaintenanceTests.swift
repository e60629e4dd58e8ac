import Foundation
import Simulation
import Testing
import TestSupport
@testable import Rules
import TwinModel
import Twins

@Suite("The predictive-maintenance training scenario")
struct PredictiveMaintenanceTests {
    /// What the rules saw of one machine of the scenario, simulated without a broker.
    struct Run {
        var events: [(time: Date, event: AlertEvent)] = []
        var failure: Date?
    }

    /// Simulates `machine` for up to `hours`, feeding every message to a twin and its rules (kind rules).
    static func run(_ machine: String, hours: Double) throws -> Run {
        let scenario = try ScenarioRun.scenario("predictive-maintenance-training.yaml")
        let instance = try #require(scenario.machines.first { $0.id == machine })
        var machineRun = ScenarioRun(instance, of: scenario)
        var run = Run()
        var elapsed = 0.0
        while elapsed < hours * 3600, run.failure == nil {
            elapsed += 60
            machineRun.advance(to: elapsed) { step, _ in
                if case .state(let change)? = step.event, change.state == .fault { run.failure = change.time }
                for alert in step.alerts { run.events.append((step.time, alert)) }
            }
        }
        return run
    }

    @Test("The bearing prediction fires hours before the bearing fails, escalates, and says when", .cpuBound)
    func predictionBeforeFailure() throws {
        let run = try Self.run("cnc-01", hours: 30)
        let failure = try #require(run.failure, "the bearing fails within 30 simulated hours")
        let predictions = run.events.filter { $0.event.alert.rule == "bearing_failure_predicted" }
        let raised = try #require(predictions.first { $0.event.kind == .raised })
        #expect(raised.time < failure.addingTimeInterval(-8 * 3600), "raised \(failure.timeIntervalSince(raised.time) / 3600) h before the failure")
        #expect(raised.event.alert.message.hasPrefix("vibration predicted to exceed 7.1 mm/s in "))
        #expect(raised.event.alert.explanation.values["trend_per_hour"].map { $0 > 0.1 } == true)
        let critical = try #require(predictions.first { $0.event.alert.severity == .critical }, "escalates to critical")
        #expect(critical.time < failure, "critical before the failure")
        #expect(predictions.contains { $0.event.kind == .escalated && $0.event.alert.severity == .major })
        print("bearing prediction: raised \(Int(failure.timeIntervalSince(raised.time) / 60)) min before the failure (\(raised.event.alert.message)); critical \(Int(failure.timeIntervalSince(critical.time) / 60)) min before")
        let vibration = run.events.first { $0.event.alert.rule == "vibration_high" && $0.event.alert.severity == .major }
        if let vibration { #expect(raised.time < vibration.time, "the prediction comes before the vibration limit is reached") }
        // After the failure the prediction no longer predicts what has happened.
        let last = try #require(predictions.last { $0.time <= failure })
        #expect(last.event.alert.message.hasPrefix("vibration reached 7.1 mm/s, as predicted (now "), "\(last.event.alert.message)")
        #expect(last.event.alert.raisedMessage == raised.event.alert.message, "the text at raise is kept")
    }

    @Test("The healthy twin raises no prediction and no alert while it runs normally", .cpuBound)
    func healthyTwin() throws {
        let run = try Self.run("cnc-02", hours: 12)
        #expect(run.failure == nil)
        let alerts = run.events.map { "\($0.event.alert.rule) \($0.event.kind) \($0.event.alert.message)" }
        #expect(!alerts.contains { $0.hasPrefix("bearing_failure_predicted") }, "\(alerts)")
        #expect(alerts.isEmpty, "a healthy machine running around the clock: \(alerts)")
    }
}
