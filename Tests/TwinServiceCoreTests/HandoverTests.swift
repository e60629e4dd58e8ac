import Foundation
import Testing
import TwinModel
@testable import TwinServiceCore

@Suite("A partitioned core: lines adopted, handed over and dropped")
struct HandoverTests {
    static let line = PlantPath(site: "site", area: "area", line: "line")

    static func partitioned() -> CoreBench {
        var configuration = TwinServiceCore.Configuration()
        configuration.storing = true
        configuration.publishesAggregates = false
        return CoreBench(configuration: configuration)
    }

    @Test("A line handed over has its unsaved twins written first; once stored they leave, with no alert event, and its lease may go")
    func handOver() throws {
        var bench = Self.partitioned()
        let raised = try #require(bench.telemetry("m1", temp: 75, at: 0).batches.first)
        bench.completed(raised)
        bench.telemetry("m2", temp: 20, at: 1)
        let leaving = bench.handle(.handOver([Self.line]))
        let batch = try #require(leaving.batches.first)
        #expect(batch.machines == ["m2"], "only what was not stored yet")
        #expect(!leaving.handedOver)
        let done = bench.completed(batch)
        #expect(done.handedOver)
        #expect(done.alertEvents.isEmpty && done.alerts.isEmpty, "its open alert stays open, for the next owner")
        #expect(bench.core.store.twins.isEmpty && bench.core.rules.alerts.isEmpty)
        #expect(bench.tick(at: 5).snapshots.isEmpty)
    }

    @Test("An alert raised just before a handover goes out once its twin is stored, before the lease may be released")
    func alertBeforeHandover() throws {
        var bench = Self.partitioned()
        let raised = try #require(bench.telemetry("m1", temp: 75, at: 0).batches.first)
        let leaving = bench.handle(.handOver([Self.line]))
        #expect(leaving.batches.isEmpty && !leaving.handedOver, "m1 is being written with its alert")
        let done = bench.completed(raised)
        #expect(done.alertEvents == ["raised m1"])
        let event = try #require(done.firstIndex { if case .publish(.alertEvent) = $0 { true } else { false } })
        let released = try #require(done.firstIndex { if case .handedOver = $0 { true } else { false } })
        #expect(event < released)
    }

    @Test("A failed write holds the handover until a later write stores the twins")
    func failedWrite() throws {
        var bench = Self.partitioned()
        bench.telemetry("m1", temp: 20, at: 0)
        let batch = try #require(bench.handle(.handOver([Self.line])).batches.first)
        #expect(!bench.completed(batch, stored: false).handedOver)
        let retry = bench.handle(.writeDue)
        let again = try #require(retry.batches.first)
        #expect(bench.completed(again).handedOver)
    }

    @Test("A line with nothing unsaved is handed over at once")
    func nothingUnsaved() {
        var bench = Self.partitioned()
        #expect(bench.handle(.handOver([Self.line])).handedOver)
    }

    @Test("An adopted line's twins come back with their open alerts published again (not raised); the alert carries on, not raised twice")
    func adopt() throws {
        var before = Self.partitioned()
        let stored = try #require(before.telemetry("m1", temp: 75, at: 0).batches.first).storedTwins()

        var after = Self.partitioned()
        let adopted = after.handle(.adopted(stored, lines: [Self.line], at: at(30)))
        #expect(adopted.alerts == ["m1/hot"] && adopted.alertEvents.isEmpty)
        #expect(after.telemetry("m1", temp: 75, at: 31).batches.isEmpty, "still as hot is no new event")
        #expect(after.core.rules.alerts.count == 1)
    }

    @Test("A lost line's twins leave at once, unwritten")
    func dropped() {
        var bench = Self.partitioned()
        bench.telemetry("m1", temp: 20, at: 0)
        #expect(bench.handle(.dropped([Self.line])).isEmpty)
        #expect(bench.core.store.twins.isEmpty)
        #expect(bench.handle(.writeDue).batches.isEmpty)
    }

    @Test("A partitioned core publishes no aggregates or alert counts of its own (they would be partial)")
    func noPartialSums() {
        var bench = Self.partitioned()
        bench.telemetry("m1", temp: 75, at: 0)
        let tick = bench.tick(at: 5, metrics: true)
        #expect(tick.aggregates.isEmpty && tick.alertCountPaths.isEmpty)
        #expect(tick.metrics.count == 1)
    }
}

extension HandoverTests {
    @Test("The aggregates' holder publishes the whole plant's KPIs and alert counts from the stored twins, and zeros once the last alert is gone")
    func plantFigures() throws {
        // Two instances' twins, as the store holds them: m1 hot (its alert open), m2 not.
        var first = Self.partitioned()
        let hot = try #require(first.telemetry("m1", temp: 75, at: 0).batches.first).storedTwins()
        var second = Self.partitioned()
        second.telemetry("m2", temp: 20, at: 0)
        let cool = try #require(second.handle(.writeDue).batches.first).storedTwins()

        var holder = Self.partitioned()
        let figures = holder.handle(.plantFigures(hot + cool, at: at(10)))
        let sums = figures.publications.compactMap { if case .aggregate(let path, let sum) = $0 { (path, sum.machines) } else { nil } }
        #expect(sums.map(\.0) == [PlantPath(site: "site"), PlantPath(site: "site", area: "area"), Self.line])
        #expect(sums.allSatisfy { $0.1 == 2 }, "every machine, not the holder's share (it has none)")
        let counts = figures.publications.compactMap { if case .alertCounts(let path, let count) = $0 { (path, count.active) } else { nil } }
        #expect(Set(counts.map(\.0)) == [PlantPath(site: "site"), PlantPath(site: "site", area: "area"), Self.line])
        #expect(counts.allSatisfy { $0.1 == 1 })
        let after = holder.handle(.plantFigures(cool, at: at(15)))
        let zeros = after.publications.compactMap { if case .alertCounts(_, let count) = $0 { count.active } else { nil } }
        #expect(zeros == [0, 0, 0], "counts published before go to zero")
        #expect(holder.core.store.twins.isEmpty, "the holder keeps none of those twins")
    }
}

extension Array where Element == TwinServiceCore.Action {
    var handedOver: Bool {
        contains { if case .handedOver = $0 { true } else { false } }
    }

    var alertCountPaths: [PlantPath] {
        publications.compactMap { if case .alertCounts(let path, _) = $0 { path } else { nil } }
    }
}
