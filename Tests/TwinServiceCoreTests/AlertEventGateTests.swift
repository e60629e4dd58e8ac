import Foundation
import Rules
import Testing
import TwinModel
@testable import TwinServiceCore

@Suite("The alert event gate and the write-behind ledger, alone")
struct AlertEventGateTests {
    static func event(_ machine: String) throws -> AlertEvent {
        var bench = CoreBench(storing: false)
        let publications = bench.telemetry(machine, temp: 75, at: 0).publications
        return try #require(publications.compactMap { publication -> AlertEvent? in
            if case .alertEvent(let event, _) = publication { event } else { nil }
        }.first)
    }

    @Test("Held events go once stored, in order; a failed batch's events wait for another")
    func gate() throws {
        var gate = AlertEventGate()
        let (one, two) = (PersistBatch.ID(1), PersistBatch.ID(2))
        gate.hold(try Self.event("m1"), time: at(0))
        gate.hold(try Self.event("m2"), time: at(1))
        #expect(gate.unassigned.map(\.name) == ["m1", "m2"])
        gate.assign(one, to: [CoreBench.path("m1")])
        gate.assign(two, to: [CoreBench.path("m2")])
        #expect(gate.unassigned.isEmpty)
        #expect(gate.stored(two).isEmpty)
        gate.failed(one)
        #expect(gate.unassigned.map(\.name) == ["m1"])
        gate.assign(PersistBatch.ID(3), to: [CoreBench.path("m1")])
        let out = gate.stored(PersistBatch.ID(3))
        #expect(out.map(\.event.alert.address.name) == ["m1", "m2"])
        #expect(out.map(\.time) == [at(0), at(1)])
        #expect(gate.isEmpty)
    }

    @Test("Write-behind: a twin is in one batch in flight; a failed batch's twins are unsaved again; one routine batch at a time")
    func writeBehind() throws {
        var writes = WriteBehind(enabled: true)
        let (m1, m2) = (CoreBench.path("m1"), CoreBench.path("m2"))
        writes.noteChanged(m1)
        let taken = writes.takeUnsaved()
        let routine = try #require(taken)
        #expect(routine.addresses == [m1] && writes.isWritingRoutine)
        writes.noteChanged(m1)
        writes.noteChanged(m2)
        let other = writes.takeUnsaved()
        #expect(other?.addresses == [m2], "m1 waits for its batch")
        #expect(writes.take([m1]) == nil)
        writes.finish(routine.id, stored: false)
        #expect(writes.unsaved == [m1], "unsaved again")
        #expect(writes.take([m1])?.addresses == [m1])
        #expect(writes.unsaved.isEmpty)
        if let other { writes.finish(other.id, stored: true) }
        #expect(!writes.isWritingRoutine && writes.isWriting, "m1's own batch is still out")

        var off = WriteBehind(enabled: false)
        off.noteChanged(m1)
        #expect(off.unsaved.isEmpty && off.takeUnsaved() == nil)
    }
}
