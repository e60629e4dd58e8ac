import Foundation
import Testing
@testable import Rules
import TwinModel
import Twins

@Suite("Alert lifecycle")
struct AlertLifecycleTests {
    static let rule = "- { id: hot, threshold: { property: temp, above: { warning: 70, critical: 90 } } }"

    @Test("Raise → acknowledge → clear → closed, with who, when and why")
    func acknowledgedThenCleared() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 75, at: 0)
        #expect(bench.alert("hot")?.status == .activeUnacknowledged)
        let ack = try bench.acknowledge("hot", by: "ana", comment: "checking the coolant", at: 5)
        #expect(ack.kinds == [.acknowledged])
        #expect(bench.alert("hot")?.status == .activeAcknowledged)
        #expect(bench.alert("hot")?.acknowledgement == Alert.Acknowledgement(by: "ana", at: t(5), comment: "checking the coolant"))
        let clear = bench.send(temp: 60, at: 10)
        #expect(clear.kinds == [.cleared, .closed])
        #expect(clear.last?.alert.status == .closed && clear.last?.alert.clearedAt == t(10))
        #expect(bench.alert("hot") == nil)
    }

    @Test("Raise → clear (latched, waits) → acknowledge → closed")
    func clearedThenAcknowledged() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 75, at: 0)
        #expect(bench.send(temp: 60, at: 10).kinds == [.cleared])
        #expect(bench.alert("hot")?.status == .clearedUnacknowledged)
        #expect(try bench.acknowledge("hot", at: 20).kinds == [.acknowledged, .closed])
        #expect(bench.alert("hot") == nil)
    }

    @Test("An unlatched rule's alert closes when it clears")
    func unlatched() throws {
        var bench = try RuleBench(rules: "- { id: hot, threshold: { property: temp, above: 70 }, latch: false }")
        bench.send(temp: 75, at: 0)
        #expect(bench.send(temp: 60, at: 10).kinds == [.cleared, .closed])
    }

    @Test("A condition back before the acknowledgement reactivates the same alert and counts it")
    func reactivation() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 75, at: 0)
        bench.send(temp: 60, at: 10)
        let again = bench.send(temp: 95, at: 20)
        #expect(again.kinds == [.raised])
        let alert = try #require(bench.alert("hot"))
        #expect(alert.count == 2 && alert.severity == .critical)
        #expect(alert.firstSeen == t(0) && alert.raisedAt == t(20) && alert.lastSeen == t(20))
        #expect(alert.clearedAt == nil)
        bench.send(temp: 96, at: 25)
        #expect(bench.alert("hot")?.lastSeen == t(25))
    }

    @Test("An acknowledgement covers its severity and those below: de-escalation keeps it, a return within it too")
    func acknowledgementCoversItsSeverity() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 95, at: 0)
        try bench.acknowledge("hot", at: 1)
        #expect(bench.send(temp: 75, at: 2).kinds == [.deescalated])
        #expect(bench.alert("hot")?.status == .activeAcknowledged)
        #expect(bench.send(temp: 95, at: 3).kinds == [.escalated])
        #expect(bench.alert("hot")?.status == .activeAcknowledged, "critical was acknowledged")
    }

    @Test("Escalation above what was acknowledged asks for a new acknowledgement; de-escalating back restores the earlier one")
    func escalationAsksDeescalationRestores() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 75, at: 0)
        try bench.acknowledge("hot", by: "ana", comment: "watching it", at: 1)
        #expect(bench.send(temp: 95, at: 2).kinds == [.escalated])
        #expect(bench.alert("hot")?.status == .activeUnacknowledged)
        #expect(bench.alert("hot")?.acknowledgement == nil)
        #expect(bench.send(temp: 75, at: 3).kinds == [.deescalated], "no acknowledgement event: nobody acknowledged")
        #expect(bench.alert("hot")?.status == .activeAcknowledged)
        #expect(bench.alert("hot")?.acknowledgement?.by == "ana" && bench.alert("hot")?.acknowledgement?.comment == "watching it")
        // Escalated again and acknowledged at critical: that acknowledgement now covers both.
        bench.send(temp: 95, at: 4)
        try bench.acknowledge("hot", by: "ben", comment: "coolant pump replaced", at: 5)
        bench.send(temp: 75, at: 6)
        #expect(bench.alert("hot")?.acknowledgement?.by == "ben")
    }

    @Test("A latched alert that returns after clearing is a new activation: an earlier acknowledgement does not carry over")
    func reactivationStartsUnacknowledged() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 95, at: 0)
        try bench.acknowledge("hot", at: 1)
        bench.send(temp: 95, at: 2)
        #expect(bench.alert("hot")?.status == .activeAcknowledged)
        bench.send(temp: 20, at: 3)
        #expect(bench.alert("hot") == nil, "acknowledged and cleared: closed")
        bench.send(temp: 75, at: 4)
        #expect(bench.alert("hot")?.status == .activeUnacknowledged)
    }

    @Test("Acknowledgements that cannot be taken say why")
    func refusedAcknowledgements() throws {
        var bench = try RuleBench(rules: Self.rule)
        #expect(throws: AlertError.self) { try bench.acknowledge("hot", at: 0) }
        bench.send(temp: 75, at: 0)
        try bench.acknowledge("hot", at: 1)
        do {
            try bench.acknowledge("hot", by: "bob", at: 2)
            Issue.record("a second acknowledgement was taken")
        } catch {
            #expect(error.code == .alreadyAcknowledged)
        }
        do {
            try bench.acknowledge("nope", at: 2)
            Issue.record("an unknown rule was acknowledged")
        } catch {
            #expect(error.code == .unknownAlert)
        }
    }

    @Test("One alert per twin and rule, whatever the number of readings")
    func oneAlertPerRule() throws {
        var bench = try RuleBench(rules: Self.rule)
        var events: [AlertEvent] = []
        for second in 0..<100 { events += bench.send(temp: 80, at: Double(second)) }
        #expect(events.kinds == [.raised])
        #expect(bench.rules.alerts.count == 1)
    }

    @Test("Alerts of a rule that no longer applies are closed when memories are restored")
    func retiredRule() throws {
        var bench = try RuleBench(rules: Self.rule)
        bench.send(temp: 75, at: 0)
        var other = MachineRules(address: bench.twin.address, kind: "probe", rules: [])
        let events = other.restore(bench.rules.saved, at: t(1))
        #expect(events.kinds == [.closed])
    }
}
