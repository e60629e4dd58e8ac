import Foundation
import Testing
@testable import Rules
import TwinModel
@testable import Twins

@Suite("Rule engine")
struct RuleEngineTests {
    @Test("Evaluation is incremental: a reading runs only the rules that read its property")
    func incremental() throws {
        var bench = try RuleBench(rules: """
            - { id: hot, threshold: { property: temp, above: 70 } }
            - { id: busy, threshold: { property: load, above: 90 } }
            - { id: both, expression: temp > 70 and load > 90 }
            - { id: gone, inactivity: { offline: 1m } }
            """)
        bench.send(["flow": 20], at: 0)
        #expect(bench.rules.evaluations == 0)
        bench.send(["temp": 20], at: 1)
        #expect(bench.rules.evaluations == 2, "hot and both")
        bench.send(["temp": 20, "load": 20], at: 2)
        #expect(bench.rules.evaluations == 5, "hot, busy and both, once each")
        bench.tick(at: 3)
        #expect(bench.rules.evaluations == 6, "the clock runs only the inactivity rule")
    }

    @Test("Memories survive a save and restore as JSON: no alert lost or raised twice")
    func persistence() throws {
        let kind = try probeKind(rules: """
            - { id: hot, threshold: { property: temp, above: 70 }, for: 10s }
            - { id: spikes, threshold: { property: load, above: 120 }, repeat: { count: 2, within: 10m } }
            """)
        var bench = RuleBench(kind: kind)
        bench.send(["temp": 75, "load": 130], at: 0)
        bench.send(["temp": 75, "load": 50], at: 5)
        #expect(bench.rules.alerts.isEmpty, "hot is pending, spikes has one occurrence")
        let data = try JSONEncoder().encode(bench.rules.saved)
        let saved = try JSONDecoder().decode(MachineRules.Saved.self, from: data)

        var engine = RuleEngine(book: RuleBook(kinds: ["probe": kind]))
        #expect(engine.restore(saved, for: bench.twin, kind: "probe", wall: t(6)).isEmpty)
        var twin = bench.twin
        twin.apply(TelemetrySample(time: t(10), sequence: 10, values: [.init(property: "temp", value: 75, unit: "°C"), .init(property: "load", value: 130, unit: "%")]), received: t(10))
        let events = engine.evaluate(twin, trigger: .telemetry(["temp", "load"]), wall: t(10))
        #expect(Set(events.map(\.alert.rule)) == ["hot", "spikes"], "the pending wait and the first occurrence carried over")

        let again = try JSONDecoder().decode(MachineRules.Saved.self, from: JSONEncoder().encode(engine.saved(twin)!))
        var restarted = RuleEngine(book: RuleBook(kinds: ["probe": kind]))
        _ = restarted.restore(again, for: twin, kind: "probe", wall: t(11))
        #expect(restarted.alerts.count == 2)
        twin.apply(TelemetrySample(time: t(11), sequence: 11, values: [.init(property: "temp", value: 76, unit: "°C")]), received: t(11))
        #expect(restarted.evaluate(twin, trigger: .telemetry(["temp"]), wall: t(11)).isEmpty, "no second raise after the restart")
    }

    @Test("A rule concerned by several readings of one message, or by a name repeated, runs once for it, in rule order")
    func oneRunPerMessage() throws {
        var bench = try RuleBench(rules: """
            - { id: hot, threshold: { property: temp, above: 70 } }
            - { id: strain, threshold: { property: load, above: 120 } }
            - { id: both, expression: "temp > 70 and load > 120", severity: major, clear: "load < 100" }
            """)
        bench.twin.apply(TelemetrySample(time: t(0), sequence: 1, values: [.init(property: "load", value: 130, unit: "%"),
                                                                          .init(property: "temp", value: 80, unit: "°C")]), received: t(0))
        let events = bench.rules.evaluate(bench.twin, trigger: .telemetry(["load", "temp", "load", "temp"]), wall: t(0))
        #expect(bench.rules.evaluations == 3, "three rules, each run once")
        #expect(events.map(\.alert.rule) == ["hot", "strain", "both"])
    }

    @Test("Counts per site, area and line")
    func counts() throws {
        var bench = try RuleBench(rules: "- { id: hot, threshold: { property: temp, above: { warning: 70, major: 80 } } }")
        var engine = RuleEngine(book: RuleBook(kindRules: ["probe": bench.rules.rules]))
        bench.send(temp: 85, at: 0)
        _ = engine.evaluate(bench.twin, trigger: .telemetry(["temp"]), wall: t(0))
        let line = try #require(engine.counts()[PlantPath(site: "site", area: "area", line: "line")])
        #expect(line.active == 1 && line.unacknowledged == 1 && line.bySeverity == [.major: 1])
        #expect(engine.counts()[PlantPath(site: "site")] == line)
    }

    @Test("Twins are told apart by their store's serials; a twin that finds another's rules at its serial gets its own")
    func bySerial() throws {
        let kind = try probeKind(rules: "- { id: hot, threshold: { property: temp, above: 70 } }")
        var store = TwinStore(kinds: ["probe": kind.interface])
        var engine = RuleEngine(book: RuleBook(kinds: ["probe": kind]))
        func send(_ machine: String, temp: Double, at time: Double) -> [AlertEvent] {
            let address = PlantPath(site: "site", area: "area", line: "line", machine: machine)
            let sample = TelemetrySample(time: t(time), sequence: UInt64(time + 1), values: [.init(property: "temp", value: temp, unit: "°C")])
            _ = store.apply(.telemetry(.init(machine: machine, kind: "probe", sample: sample)), address: address, received: t(time))
            return engine.evaluate(store.twins[address]!, trigger: .telemetry(["temp"]), wall: t(time))
        }
        #expect(send("m1", temp: 75, at: 0).map(\.kind) == [.raised])
        #expect(send("m2", temp: 20, at: 0).isEmpty)
        #expect(send("m1", temp: 76, at: 1).isEmpty, "m1's alert is still open: m2 did not take its rules")
        #expect(Set(engine.alerts.map(\.address.machine)) == ["m1"])
        let m1 = try #require(store.twins.values.first { $0.address.machine == "m1" })
        #expect(engine.saved(m1)?["hot"]?.alert?.isActive == true)

        // A twin at m1's serial with another address (a store that reused the serial) starts with fresh rules.
        let stranger = Twin(record: Twin(address: PlantPath(site: "site", area: "area", line: "line", machine: "m9"), kind: kind.interface).record,
                            serial: m1.serial, shared: SharedKind(kind.interface), settings: SharedSettings(TwinSettings()))
        #expect(engine.saved(stranger) == nil, "m1's memories are not the stranger's")
        let replaced = engine.evaluate(stranger, trigger: .clock, wall: t(2))
        #expect(replaced.map(\.kind) == [.closed] && replaced.first?.alert.address.machine == "m1", "m1's open alert closes with an event")
        #expect(engine.saved(stranger)?["hot"]?.alert == nil)
        #expect(engine.saved(m1) == nil, "m1's rules were replaced at that serial")
    }

    @Test("Overrides: a rules file replaces or switches a kind's rule for chosen machines; a scenario's last")
    func overrides() throws {
        let kind = try probeKind(rules: "- { id: hot, threshold: { property: temp, above: 70 } }\n- { id: busy, threshold: { property: load, above: 90 } }")
        let set = try RuleSetLoader.load(yaml: """
            ruleset: strict
            overrides:
              - kind: probe
                line: line
                rules:
                  - { id: hot, threshold: { property: temp, above: 50 }, severity: major }
                  - { id: busy, enabled: false }
            """, file: "strict.yaml", kinds: ["probe": kind])
        let book = RuleBook(kinds: ["probe": kind], overrides: set.overrides)
        let here = book.rules(kind: "probe", path: PlantPath(site: "site", area: "area", line: "line", machine: "m1"))
        #expect(here.map(\.id) == ["hot"])
        #expect(here.first?.severity == .major)
        #expect(book.rules(kind: "probe", path: PlantPath(site: "site", area: "area", line: "other", machine: "m1")).map(\.id) == ["hot", "busy"])
    }
}

@Suite("Rule engine edge cases found in review")
struct RuleReviewTests {
    @Test("A rule on the state with for: fires on the clock, without new messages")
    func stateExpressionWaits() throws {
        var bench = try RuleBench(rules: "- { id: down, expression: \"state == 'fault'\", for: 5m }")
        #expect(bench.state(.fault, at: 0).isEmpty)
        bench.send(temp: 20, at: 301)
        #expect(bench.tick(at: 301).kinds == [.raised])
    }

    @Test("A prediction cleared with no crossing in sight stays storable (no infinite figures)")
    func noInfinity() throws {
        var bench = try RuleBench(rules: "- { id: p, prediction: { property: temp, exceeds: 100, window: 10m, within: 1h }, clear_for: 10m }")
        for second in stride(from: 0.0, through: 600, by: 10) { bench.send(temp: 20 + second / 10, at: second) }
        #expect(bench.alert("p")?.isActive == true)
        for second in stride(from: 610.0, through: 1300, by: 10) { bench.send(temp: 10, at: second) }
        #expect(throws: Never.self) { try JSONEncoder().encode(bench.rules.saved) }
    }
}

@Suite("Rule memories")
struct RuleMemoryValueTests {
    @Test("A copied rule memory is a value: timers, windows and trend set on the copy stay off the original")
    func copyOnWrite() {
        var original = RuleMemory()
        original.pendingSince = Date(timeIntervalSince1970: 100)
        var copy = original
        copy.pendingSince = nil
        copy.occurrences.append(Date(timeIntervalSince1970: 200))
        copy.stops.append(Date(timeIntervalSince1970: 300))
        #expect(original.pendingSince == Date(timeIntervalSince1970: 100) && original.occurrences.isEmpty && original.stops.isEmpty)
        #expect(copy.pendingSince == nil && copy.occurrences.count == 1 && copy.stops.count == 1)
        #expect(original != copy)

        var untouched = RuleMemory()
        untouched.clearingSince = nil
        #expect(untouched == RuleMemory() && !untouched.hasTimers, "clearing a timer never set changes nothing")
    }

    @Test("A stored memory without timers reads back without them; one with timers reads back equal")
    func decoding() throws {
        let plain = try JSONDecoder().decode(RuleMemory.self, from: JSONEncoder().encode(RuleMemory()))
        #expect(plain == RuleMemory() && !plain.hasTimers)
        var timed = RuleMemory()
        timed.stops = [Date(timeIntervalSince1970: 300)]
        let read = try JSONDecoder().decode(RuleMemory.self, from: JSONEncoder().encode(timed))
        #expect(read == timed && read.hasTimers)
    }
}
