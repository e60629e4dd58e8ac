import RuleLanguage
import Foundation
import Testing
@testable import Rules
import TwinModel
import Twins

@Suite("Threshold rules")
struct ThresholdTests {
    static let hot = """
        - id: hot
          threshold: { property: temp, above: { warning: 70, major: 80, critical: 90 }, hysteresis: 3 }
          message: "temp {value} {unit} above {limit} {unit}"
        """

    @Test("Exactly at the threshold is not above it; just above raises at that level")
    func exactlyAtThreshold() throws {
        var bench = try RuleBench(rules: Self.hot)
        #expect(bench.send(temp: 70, at: 0).isEmpty)
        let events = bench.send(temp: 70.1, at: 1)
        #expect(events.kinds == [.raised])
        #expect(events.first?.alert.severity == .warning)
        #expect(events.first?.alert.message == "temp 70.1 °C above 70 °C")
        #expect(events.first?.alert.explanation.values == ["temp": 70.1])
        #expect(events.first?.alert.explanation.condition == "temp above warning 70, major 80, critical 90 (hysteresis 3)")
    }

    @Test("Severity escalates and de-escalates on the same alert, with hysteresis on the way down")
    func escalation() throws {
        var bench = try RuleBench(rules: Self.hot)
        bench.send(temp: 75, at: 0)
        let up = bench.send(temp: 91, at: 1)
        #expect(up.kinds == [.escalated])
        #expect(up.first?.previousSeverity == .warning && up.first?.alert.severity == .critical)
        #expect(bench.send(temp: 88, at: 2).isEmpty, "88 is within 3 of the critical 90: it holds")
        #expect(bench.send(temp: 87, at: 3).map(\.alert.severity) == [.major], "87 is at the release point: down to major")
        let down = bench.send(temp: 68, at: 4)
        #expect(down.kinds == [.deescalated], "68 is below major's release point 77 but within warning's band")
        #expect(bench.alert("hot")?.severity == .warning)
        #expect(bench.alert("hot")?.count == 1, "still the first activation")
        #expect(bench.send(temp: 67, at: 5).kinds == [.cleared], "cleared at 70 − 3")
    }

    @Test("An active alert's message follows the current values, at most every 5 s; the text at raise is kept apart")
    func messageFollowsValues() throws {
        var bench = try RuleBench(rules: Self.hot)
        #expect(bench.send(temp: 75, at: 0).kinds == [.raised])
        #expect(bench.send(temp: 76, at: 2).isEmpty, "within 5 s of the last rendering: the text waits")
        let updated = bench.send(temp: 77.5, at: 6)
        #expect(updated.kinds == [.updated], "not a lifecycle event: the alert's retained topic is refreshed")
        #expect(updated.first?.alert.message == "temp 77.5 °C above 70 °C")
        #expect(updated.first?.alert.explanation.values == ["temp": 77.5], "the detail agrees with the list")
        #expect(updated.first?.alert.raisedMessage == "temp 75 °C above 70 °C")
        #expect(bench.send(temp: 77.5, at: 12).isEmpty, "nothing new to say")
        let escalated = bench.send(temp: 81, at: 13)
        #expect(escalated.kinds == [.escalated] && escalated.first?.alert.message == "temp 81 °C above 80 °C", "a new severity renders at once")
        #expect(bench.alert("hot")?.raisedMessage == "temp 75 °C above 70 °C")
    }

    @Test("A machine whose clock stood still while it was silent (a held simulation, a played machine) is judged on its own clock when it speaks again: `for: 10s` raises after 10 s of its samples, not 10 s past the silence")
    func clockHeldDuringSilence() throws {
        var bench = try RuleBench(rules: """
            - id: hot
              threshold: { property: temp, above: 90 }
              for: 10s
            """)
        bench.send(temp: 40, at: 0)
        for second in stride(from: 1.0, through: 30, by: 1) {
            #expect(bench.tick(at: second).isEmpty, "30 s of the service's clock with nothing: the twin is stale, its KPIs follow the wall clock")
        }
        #expect(bench.twin.connectivity.status == .stale)
        var events: [AlertEvent] = []
        for second in 1...11 {
            let received: Double = 30 + Double(second) / 100
            events += bench.send(["temp": 97], at: Double(second), received: received)
        }
        #expect(events.kinds == [.raised], "the machine's samples span 10 s above 90")
        #expect(bench.alert("hot")?.raisedAt == t(11))
    }

    @Test("Flapping around the threshold raises once: hysteresis keeps the alert")
    func flapping() throws {
        var bench = try RuleBench(rules: Self.hot)
        var events: [AlertEvent] = []
        for (index, value) in [70.5, 69.5, 70.5, 69.0, 70.2, 68.5, 71.0].enumerated() {
            events += bench.send(temp: value, at: Double(index))
        }
        #expect(events.lifecycle == [.raised])
    }

    @Test("Below, between and outside")
    func otherTests() throws {
        var below = try RuleBench(rules: "- { id: dry, threshold: { property: flow, below: 10, hysteresis: 1 }, severity: major }")
        #expect(below.send(["flow": 10], at: 0).isEmpty)
        #expect(below.send(["flow": 9.9], at: 1).map(\.alert.severity) == [.major])
        #expect(below.send(["flow": 10.5], at: 2).isEmpty)
        #expect(below.send(["flow": 11], at: 3).kinds == [.cleared])

        var between = try RuleBench(rules: "- { id: band, threshold: { property: temp, between: [40, 50] } }")
        #expect(between.send(temp: 39.9, at: 0).isEmpty)
        #expect(between.send(temp: 40, at: 1).kinds == [.raised], "between includes its ends")
        #expect(between.send(temp: 50.1, at: 2).kinds == [.cleared])

        var outside = try RuleBench(rules: """
            - id: band
              threshold: { property: temp, outside: { warning: [20, 60], critical: [10, 70] }, hysteresis: 2 }
            """)
        #expect(outside.send(temp: 60, at: 0).isEmpty, "the range's ends are inside it")
        #expect(outside.send(temp: 65, at: 1).map(\.alert.severity) == [.warning])
        #expect(outside.send(temp: 71, at: 2).map(\.alert.severity) == [.critical])
        #expect(outside.send(temp: 69, at: 3).isEmpty, "within 2 of the critical range: holds")
        #expect(outside.send(temp: 58.5, at: 4).map(\.kind) == [.deescalated], "within [12, 68] but not yet [22, 58]")
        #expect(outside.send(temp: 57.5, at: 5).map(\.kind) == [.cleared], "back within [22, 58]")
    }

    @Test("for: the condition must hold that long on the machine's clock; a dip restarts the wait")
    func duration() throws {
        var bench = try RuleBench(rules: "- { id: hot, threshold: { property: temp, above: 70 }, for: 10s }")
        #expect(bench.send(temp: 75, at: 0).isEmpty)
        #expect(bench.send(temp: 75, at: 9).isEmpty)
        #expect(bench.send(temp: 65, at: 9.5).isEmpty, "a dip")
        #expect(bench.send(temp: 75, at: 10).isEmpty, "the wait starts again")
        #expect(bench.send(temp: 75, at: 19.9).isEmpty)
        #expect(bench.send(temp: 75, at: 20).kinds == [.raised], "exactly 10 s later")
    }

    @Test("clear_for: the clear condition must hold that long before the alert clears")
    func clearDuration() throws {
        var bench = try RuleBench(rules: "- { id: hot, threshold: { property: temp, above: 70 }, clear_for: 30s, latch: false }")
        bench.send(temp: 75, at: 0)
        #expect(bench.send(temp: 60, at: 1).isEmpty)
        #expect(bench.send(temp: 75, at: 20).isEmpty, "back above: the clear wait is reset")
        #expect(bench.send(temp: 60, at: 21).isEmpty)
        #expect(bench.send(temp: 60, at: 50).isEmpty)
        #expect(bench.send(temp: 60, at: 51).kinds == [.cleared, .closed])
    }

    @Test("Stale data is unknown: the alert holds as it is")
    func staleData() throws {
        var bench = try RuleBench(rules: "- { id: hot, expression: temp > 70 or load > 140 }")
        #expect(bench.send(["temp": 85, "load": 10], at: 0).kinds == [.raised])
        bench.tick(at: 60)
        #expect(bench.twin.reported["temp"]?.quality == .stale)
        #expect(bench.send(["load": 10], at: 61).isEmpty, "'unknown or false' is unknown: nothing changes")
        #expect(bench.alert("hot")?.isActive == true)
        #expect(bench.send(["temp": 20, "load": 10], at: 62).kinds == [.cleared], "fresh data decides again")
    }
}
