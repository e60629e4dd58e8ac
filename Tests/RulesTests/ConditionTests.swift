import Foundation
import Testing
@testable import Rules
import TwinModel
import Twins

@Suite("Rule conditions")
struct ConditionTests {
    @Test("Expressions: arithmetic, comparisons, and/or/not, the machine's state; an explicit clear condition")
    func expression() throws {
        var bench = try RuleBench(rules: """
            - id: overload
              expression: load * 1.2 > 100 and not (temp < 40) and state == 'running'
              severity: major
              clear: load < 60
              message: "load {load} % at {temp} °C"
            """)
        bench.state(.running, at: 0)
        #expect(bench.send(["load": 90, "temp": 50], at: 1).map(\.alert.severity) == [.major])
        #expect(bench.alert("overload")?.message == "load 90 % at 50 °C")
        #expect(bench.send(["load": 70, "temp": 50], at: 2).isEmpty, "the condition is false but the clear condition is not yet true")
        #expect(bench.send(["load": 59, "temp": 50], at: 3).kinds == [.cleared])
        bench.state(.held, at: 4)
        #expect(bench.send(["load": 95, "temp": 50], at: 5).kinds == [], "not running: false; the alert is cleared, latched")
        #expect(bench.alert("overload")?.status == .clearedUnacknowledged)
    }

    @Test("repeat: raised on the Nth time within the window; clears once fewer remain and the condition is false")
    func repetition() throws {
        var bench = try RuleBench(rules: "- { id: spikes, threshold: { property: load, above: 120 }, repeat: { count: 3, within: 10m }, severity: minor }")
        #expect(bench.send(["load": 130], at: 0).isEmpty, "first spike")
        #expect(bench.send(["load": 140], at: 1).isEmpty, "the same spike, still high: not a new occurrence")
        #expect(bench.send(["load": 50], at: 2).isEmpty)
        #expect(bench.send(["load": 130], at: 120).isEmpty, "second spike")
        #expect(bench.send(["load": 50], at: 121).isEmpty)
        let third = bench.send(["load": 130], at: 599)
        #expect(third.kinds == [.raised], "the third spike within 10 min")
        #expect(third.first?.alert.severity == .minor)
        #expect(bench.send(["load": 50], at: 599.5).isEmpty, "three spikes still within the window")
        #expect(bench.send(["load": 50], at: 600).kinds == [.cleared], "the first spike left the window")
    }

    @Test("rate: a rise over the window, fitted by least squares; too little history is unknown")
    func rate() throws {
        var bench = try RuleBench(rules: "- { id: heating, rate: { property: temp, over: 5m, rises_by: { warning: 8, major: 15 } }, latch: false }")
        for second in stride(from: 0.0, to: 120, by: 10) { #expect(bench.send(temp: 40 + second / 60 * 4, at: second).isEmpty) }
        var events: [AlertEvent] = []
        for second in stride(from: 120.0, through: 300, by: 10) { events += bench.send(temp: 40 + second / 60 * 4, at: second) }
        #expect(events.lifecycle == [.escalated] || events.lifecycle == [.raised] || events.lifecycle == [.raised, .escalated])
        #expect(bench.alert("heating")?.severity == .major, "4 °C/min is 20 °C per 5 min")
        #expect(bench.alert("heating")?.message == "temp rose 20 °C in 5 min")
        for second in stride(from: 310.0, through: 900, by: 10) { bench.send(temp: 60, at: second) }
        #expect(bench.alert("heating") == nil, "flat for 10 minutes: cleared and closed")
    }

    @Test("Inactivity: no data for T on the wall clock, and offline for T")
    func inactivity() throws {
        var bench = try RuleBench(rules: """
            - { id: silent, inactivity: { no_data: { warning: 30s, major: 2m } }, latch: false }
            - { id: gone, inactivity: { offline: 1m } }
            """)
        bench.status(online: true, at: 0)
        bench.send(temp: 20, at: 0)
        #expect(bench.tick(at: 30).isEmpty, "exactly 30 s is not longer than 30 s")
        #expect(bench.tick(at: 31).map(\.alert.severity) == [.warning])
        #expect(bench.tick(at: 121).map(\.kind) == [.escalated])
        #expect(bench.send(temp: 20, at: 122).isEmpty, "telemetry does not run clock rules…")
        #expect(bench.tick(at: 123).kinds == [.cleared, .closed], "…the next tick clears it")
        bench.status(online: false, at: 200)
        #expect(bench.tick(at: 259).isEmpty)
        #expect(bench.tick(at: 261).filter { $0.alert.rule == "gone" }.kinds == [.raised])
        #expect(bench.alert("silent") == nil, "an offline machine is the offline rule's business")
        #expect(bench.status(online: true, at: 300).kinds == [.cleared])
    }

    @Test("State: in fault longer than T, on the machine's clock; stops per hour")
    func state() throws {
        var bench = try RuleBench(rules: """
            - { id: stuck, state: { in: fault, longer_than: { major: 15m, critical: 1h } } }
            - { id: stops, state: { stops: 3, within: 1h }, latch: false }
            """)
        bench.state(.running, at: 0)
        bench.state(.fault, at: 10)
        #expect(bench.send(temp: 20, at: 10 + 900).isEmpty, "telemetry alone does not run state rules")
        #expect(bench.tick(at: 10 + 900).isEmpty, "exactly 15 min")
        #expect(bench.tick(at: 10 + 901).isEmpty, "the wall clock moved, the machine's did not")
        bench.send(temp: 20, at: 10 + 901)
        #expect(bench.tick(at: 10 + 901).map(\.alert.severity) == [.major])
        bench.send(temp: 20, at: 10 + 3601)
        #expect(bench.tick(at: 10 + 3601).map(\.alert.severity) == [.critical])
        #expect(bench.state(.stopped, at: 10 + 3700).kinds == [.cleared])

        var stops = try RuleBench(rules: "- { id: stops, state: { stops: 3, within: 1h }, latch: false }")
        var events: [AlertEvent] = []
        for index in 0..<4 {
            events += stops.state(.running, at: Double(index) * 600)
            events += stops.state(.starved, at: Double(index) * 600 + 60)
        }
        #expect(events.kinds == [.raised], "the fourth stop within the hour is more than 3")
        #expect(stops.alert("stops")?.message == "4 stops within 1 h")
        stops.send(temp: 20, at: 3661)
        #expect(stops.tick(at: 3661).kinds == [.cleared, .closed], "the first stop left the hour")
    }

    @Test("KPI: OEE below target once enough of the window is planned time")
    func kpi() throws {
        var bench = try RuleBench(rules: "- { id: oee, kpi: { metric: availability, below: { warning: 0.8, major: 0.5 }, min_time: 10m } }")
        bench.state(.running, at: 0)
        bench.send(temp: 20, at: 300)
        #expect(bench.state(.fault, at: 300).isEmpty, "5 min planned: too little to judge")
        bench.send(temp: 20, at: 900)
        let events = bench.tick(at: 900)
        #expect(events.map(\.alert.severity) == [.major], "5 of 15 min running: availability 33 %")
        #expect(events.first?.alert.message == "availability 33.3 % is below 50 %")
    }
}
