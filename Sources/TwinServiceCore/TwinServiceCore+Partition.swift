import Foundation
import TwinModel
import Rules
import Twins
import TwinStorage

extension TwinServiceCore {
    /// Lines whose leases were just taken: their twins come back as at a restart, with their rules' memories, and only
    /// their open alerts are published again.
    mutating func adopt(_ twins: [StoredTwin], lines: [PlantPath], now: Date, into actions: inout [Action]) {
        leaving.subtract(lines)
        restore(twins, now: now, scope: lines, into: &actions)
    }

    /// Lines to hand over: their twins are written (those changed since they last were), and leave once stored.
    mutating func handOver(_ lines: [PlantPath], into actions: inout [Action]) {
        leaving.formUnion(lines)
        continueHandovers(into: &actions)
    }

    /// Lines lost: their twins leave now, unwritten, with their rules (whose alerts stay open for the new owner).
    mutating func drop(_ lines: [PlantPath]) {
        for line in lines {
            leaving.remove(line)
            remove(line)
        }
    }

    /// Lines leaving whose twins are all stored go (``Action/handedOver(_:)``); the unsaved twins of the others not
    /// being written are written now. Called again as batches complete and every write interval (a failed batch is
    /// retried then, not at once).
    mutating func continueHandovers(into actions: inout [Action]) {
        guard !leaving.isEmpty else { return }
        var done: [PlantPath] = []
        var unsaved: [PlantPath] = []
        for line in leaving {
            let pending = store.twins.keys.filter { line.contains($0) && (writes.unsaved.contains($0) || writes.isWriting($0)) }
            if pending.isEmpty { done.append(line) } else { unsaved += pending.filter { !writes.isWriting($0) } }
        }
        if let batch = writes.take(unsaved) {
            gate.assign(batch.id, to: batch.addresses)
            persist(batch, into: &actions)
        }
        guard !done.isEmpty else { return }
        for line in done {
            leaving.remove(line)
            remove(line)
        }
        actions.append(.handedOver(done.sorted()))
    }

    /// Takes a line's twins and their rules out.
    private mutating func remove(_ line: PlantPath) {
        for twin in store.remove(under: line) { rules.forget(twin) }
    }
}

extension TwinServiceCore {
    /// The plant's aggregates and alert counts from every stored twin (each instance writes its own every second):
    /// KPIs over the same windows as the twins' own, counts of the alerts not closed, zeros where the last one closed.
    mutating func publishPlantFigures(_ twins: [StoredTwin], now: Date, into actions: inout [Action]) {
        var plant = TwinStore(kinds: store.kinds, settings: store.settings, unknownKinds: store.unknownKinds,
                              maximumPayload: store.maximumPayload, maximumTwins: .max)
        plant.restore(twins.map(\.record), restartedAt: now)
        plant.refresh(now: now)
        for (path, sum) in plant.aggregates().sorted(by: { $0.key < $1.key }) { actions.append(.publish(.aggregate(path, sum))) }
        let alerts = twins.lazy.compactMap(\.rules).flatMap { $0.values.compactMap(\.alert) }
        for (path, count) in plantCounts.take(AlertCounts.tally(alerts)) { actions.append(.publish(.alertCounts(path, count))) }
    }
}
