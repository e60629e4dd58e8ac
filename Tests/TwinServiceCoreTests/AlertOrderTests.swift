import Foundation
import Testing
import TwinModel
@testable import TwinServiceCore
import TwinStorage

@Suite("Alert events wait for their twin's write; ingest does not")
struct AlertOrderTests {
    @Test("An event is held until the batch with its twin is stored; the messages behind it are taken meanwhile")
    func heldUntilStored() throws {
        var bench = CoreBench(storing: true)
        let raised = bench.telemetry("m1", temp: 75, at: 0)
        #expect(raised.alertEvents.isEmpty, "not before its twin is stored")
        let batch = try #require(raised.batches.first)
        #expect(batch.machines == ["m1"])
        #expect(try #require(batch.entries.first?.rules?["hot"]?.alert).isActive, "stored with the alert")

        // (Within 5 s of the raise: the alert's text is not rendered again yet.)
        for second in 1...4 {
            #expect(bench.telemetry("m1", temp: 76, at: Double(second)).isEmpty)
            #expect(bench.telemetry("m2", temp: 20, at: Double(second)).isEmpty)
        }
        #expect(bench.core.store.statistics.messagesIn == 9, "ingested while the write is under way")
        #expect(bench.tick(at: 5).alertEvents.isEmpty)

        let released = bench.completed(batch)
        #expect(released.alertEvents == ["raised m1"])
        #expect(released.alerts == ["m1/hot"])
        #expect(released.batches.isEmpty)
    }

    @Test("Events leave in the order they happened: a later event whose twin is stored first still waits")
    func inOrder() throws {
        var bench = CoreBench(storing: true)
        let first = try #require(bench.telemetry("m1", temp: 75, at: 0).batches.first)
        let second = try #require(bench.telemetry("m2", temp: 75, at: 1).batches.first)
        #expect(bench.completed(second).alertEvents.isEmpty, "m1's event is still held")
        #expect(bench.completed(first).alertEvents == ["raised m1", "raised m2"])
    }

    @Test("A failed write puts the twins back; the next batch takes them, and the events still leave in order")
    func failedWrite() throws {
        var bench = CoreBench(storing: true)
        let first = try #require(bench.telemetry("m1", temp: 75, at: 0).batches.first)
        let failed = bench.completed(first, stored: false)
        #expect(failed.isEmpty, "no event, and no retry at once")
        #expect(bench.core.writes.unsaved.contains(CoreBench.path("m1")))

        let next = try #require(bench.telemetry("m2", temp: 75, at: 1).batches.first)
        #expect(next.machines == ["m1", "m2"], "retried with the next batch")
        #expect(bench.completed(next).alertEvents == ["raised m1", "raised m2"])
    }

    @Test("After a failed write the routine write is the next batch")
    func failedThenRoutine() throws {
        var bench = CoreBench(storing: true)
        let first = try #require(bench.telemetry("m1", temp: 75, at: 0).batches.first)
        bench.completed(first, stored: false)
        let routine = try #require(bench.handle(.writeDue).batches.first)
        #expect(routine.machines == ["m1"])
        #expect(bench.completed(routine).alertEvents == ["raised m1"])
    }

    @Test("A twin is in one batch at a time: an event for a twin being written waits for the batch after")
    func twinInFlight() throws {
        var bench = CoreBench(storing: true)
        bench.telemetry("m1", temp: 20, at: 0)
        let routine = try #require(bench.handle(.writeDue).batches.first)
        let raised = bench.telemetry("m1", temp: 75, at: 1)
        #expect(raised.batches.isEmpty, "m1 is being written as it was before the alert")
        #expect(bench.handle(.writeDue).batches.isEmpty, "one routine batch at a time")
        let after = bench.completed(routine)
        #expect(after.alertEvents.isEmpty, "that batch had m1 before its alert")
        let own = try #require(after.batches.first)
        #expect(own.machines == ["m1"])
        #expect(bench.completed(own).alertEvents == ["raised m1"])
    }

    @Test("Without storage, events go out at once")
    func withoutStorage() {
        var bench = CoreBench(storing: false)
        let actions = bench.telemetry("m1", temp: 75, at: 0)
        #expect(actions.alertEvents == ["raised m1"])
        #expect(actions.alerts == ["m1/hot"])
        #expect(actions.batches.isEmpty)
        #expect(bench.handle(.writeDue).isEmpty)
        #expect(bench.handle(.stopping).flushed)
    }

    @Test("An active alert's text rendered again with new values refreshes its retained topic, not the event stream")
    func textRefresh() {
        var bench = CoreBench(storing: false)
        bench.telemetry("m1", temp: 75, at: 0)
        let refreshed = bench.telemetry("m1", temp: 76.5, at: 6)
        #expect(refreshed.alertEvents.isEmpty, "not a lifecycle event")
        #expect(refreshed.alerts == ["m1/hot"])
        #expect(bench.core.metrics.alertEvents == 1)
    }

    @Test("Stopping writes what is unsaved and says flushed once it is stored")
    func stopping() throws {
        var bench = CoreBench(storing: true)
        bench.telemetry("m1", temp: 20, at: 0)
        let routine = try #require(bench.handle(.writeDue).batches.first)
        bench.telemetry("m1", temp: 21, at: 1)
        bench.telemetry("m2", temp: 21, at: 1)
        let stop = bench.handle(.stopping)
        let rest = try #require(stop.batches.first)
        #expect(rest.machines == ["m2"], "m1 is being written: it follows its batch")
        #expect(!stop.flushed)
        #expect(!bench.completed(rest).flushed)
        let last = bench.completed(routine)
        let again = try #require(last.batches.first)
        #expect(again.machines == ["m1"], "m1's latest change")
        #expect(bench.completed(again).flushed)
    }

    @Test("At start the restored twins come back, their open alerts are published again, and their snapshots go out")
    func restore() throws {
        var before = CoreBench(storing: true)
        let batch = try #require(before.telemetry("m1", temp: 75, at: 0).batches.first)
        let stored = batch.storedTwins()

        var after = CoreBench(storing: true)
        let start = after.handle(.restored(stored, at: at(100)))
        #expect(start.alerts == ["m1/hot"])
        #expect(start.alertEvents.isEmpty, "nothing happened: the alert was stored")
        #expect(after.tick(at: 100).snapshots == ["m1"])
        #expect(after.telemetry("m1", temp: 75, at: 101).batches.isEmpty, "its rules carry on: still as hot is no new event")
        #expect(after.core.rules.alerts.count == 1, "not raised twice")
    }
}
