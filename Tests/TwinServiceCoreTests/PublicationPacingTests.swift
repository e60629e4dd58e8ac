import Foundation
import Testing
import TwinModel
@testable import TwinServiceCore
import Twins

@Suite("Publication pacing: snapshots, histories, aggregates")
struct PublicationPacingTests {
    @Test("A twin changing 100 times in a second gets one snapshot, and the next one carries its latest version")
    func oneSnapshotPerSecond() {
        var bench = CoreBench(storing: false)
        var snapshots: [String] = []
        for step in 0..<100 {
            bench.telemetry("m1", temp: 20 + Double(step) / 10, at: Double(step) / 100)
            if step % 25 == 24 { snapshots += bench.tick(at: Double(step) / 100).snapshots }
        }
        #expect(snapshots == ["m1"], "ticks at 0.24, 0.49, 0.74 and 0.99 s: one snapshot")
        let next = bench.tick(at: 1.24).publications
        guard case .snapshot(let twin) = next.first else {
            Issue.record("no snapshot a second later: \(next)")
            return
        }
        #expect(twin.version == bench.core.store.twins[CoreBench.path("m1")]?.version)
        #expect(bench.tick(at: 1.5).snapshots.isEmpty, "nothing changed since")
    }

    @Test("Histories go out at most every 10 s, and only for twins whose samples changed")
    func historyEveryTenSeconds() {
        var bench = CoreBench(storing: false)
        var published: [Double] = []
        for second in 0..<25 {
            bench.telemetry("m1", temp: 20, at: Double(second))
            bench.state("m2", .running, at: Double(second))
            if !bench.tick(at: Double(second)).histories.isEmpty { published.append(Double(second)) }
        }
        #expect(published == [0, 10, 20])
        #expect(bench.tick(at: 30).histories == ["m1"], "the samples of 21 to 24 s")
        #expect(bench.tick(at: 45).histories.isEmpty, "no new samples since")
    }

    @Test("Aggregates and metrics go out only when the tick says they are due")
    func aggregatesWhenDue() {
        var bench = CoreBench(storing: false)
        bench.telemetry("m1", temp: 20, at: 0)
        let plain = bench.tick(at: 0)
        #expect(plain.aggregates.isEmpty && plain.metrics.isEmpty)
        let due = bench.tick(at: 5, metrics: true)
        #expect(Set(due.aggregates) == [PlantPath(site: "site"), PlantPath(site: "site", area: "area"),
                                        PlantPath(site: "site", area: "area", line: "line")])
        #expect(due.metrics.count == 1)
    }

    @Test("A schedule publishes a pending twin once per interval and forgets twins gone from the store")
    func schedule() {
        var store = TwinStore(kinds: [:])
        _ = store.apply(.state(StateChange(time: at(0), sequence: 1, state: .running, previous: .idle, reason: "r")),
                        address: CoreBench.path("m1"), received: at(0))
        var schedule = PublicationSchedule(interval: 2)
        schedule.pending = [CoreBench.path("m1"), CoreBench.path("gone")]
        #expect(schedule.due(now: at(0), in: store).map(\.address.name) == ["m1"])
        #expect(schedule.pending.isEmpty, "the twin not in the store is dropped")
        schedule.pending.insert(CoreBench.path("m1"))
        #expect(schedule.due(now: at(1), in: store).isEmpty)
        #expect(schedule.pending == [CoreBench.path("m1")], "still waiting")
        #expect(schedule.due(now: at(2), in: store).map(\.address.name) == ["m1"])
    }
}
