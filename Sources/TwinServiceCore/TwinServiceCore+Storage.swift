import Foundation
import Rules
import TwinModel
import TwinStorage
import Twins

extension TwinServiceCore {
    /// Start-up: the stored twins come back (to be published again), with their rules' memories; every open alert is
    /// published again (the broker may have lost it), and alerts whose rule is gone close.
    /// Within `scope` (lines adopted), only the alerts of the twins under it are published again.
    mutating func restore(_ twins: [StoredTwin], now: Date, scope: [PlantPath]? = nil, into actions: inout [Action]) {
        store.restore(twins.map(\.record), restartedAt: now)
        var events: [AlertEvent] = []
        for twin in twins {
            let address = twin.record.address
            pacing.noteChanged(address, samples: false)
            guard let saved = twin.rules, let restored = store.twins[address] else { continue }
            let closed = rules.restore(saved, for: restored, kind: twin.record.kind, wall: now)
            if !closed.isEmpty { writes.noteChanged(address) }
            events += closed
        }
        for alert in rules.alerts where scope?.contains(where: { $0.contains(alert.address) }) ?? true {
            actions.append(.publish(.alert(alert)))
        }
        counts.noteChanged()
        emit(events, time: now, into: &actions)
    }

    /// Alert events that just happened (their twins noted unsaved). Without storage they go out at once; with, they are
    /// held, and their twins written in a batch of their own.
    mutating func emit(_ events: [AlertEvent], time: Date, into actions: inout [Action]) {
        guard !events.isEmpty else { return }
        metrics.alertEvents += events.count { $0.kind != .updated }
        guard writes.enabled else {
            release(events.map { ($0, time) }, into: &actions)
            return
        }
        for event in events { gate.hold(event, time: time) }
        writeHeldTwins(into: &actions)
    }

    /// Publishes events let out, each on the event stream and its alert on the alert's retained topic.
    private mutating func release(_ events: [(event: AlertEvent, time: Date)], into actions: inout [Action]) {
        guard !events.isEmpty else { return }
        for (event, time) in events {
            let alert = event.alert
            guard event.kind != .updated else {
                // A new text for an open alert: its retained topic only (the event stream keeps the lifecycle).
                actions.append(.publish(.alert(alert)))
                continue
            }
            actions.append(.log(LogLine(level: .info, message: "alert \(event.kind.rawValue): \(alert.id) \(alert.severity) \(alert.message)")))
            actions.append(.publish(.alertEvent(event, time: time)))
            actions.append(.publish(.alert(alert)))
        }
        counts.noteChanged()
    }

    /// A batch for the twins of held events that wait for one (those not being written: they follow their batch).
    private mutating func writeHeldTwins(into actions: inout [Action]) {
        let waiting = gate.unassigned
        guard !waiting.isEmpty, let batch = writes.take(waiting) else { return }
        gate.assign(batch.id, to: batch.addresses)
        persist(batch, into: &actions)
    }

    /// A batch of every unsaved twin not being written. A `routine` one (every `persistInterval`) waits while the
    /// last routine one is being written.
    mutating func writeUnsaved(routine: Bool, into actions: inout [Action]) {
        if routine && writes.isWritingRoutine { return }
        guard let batch = writes.takeUnsaved() else { return }
        gate.assign(batch.id, to: batch.addresses)
        persist(batch, into: &actions)
    }

    /// Hands out the twins of a batch taken, as they are now. One with no twin left in the store is done at once.
    mutating func persist(_ batch: (id: PersistBatch.ID, addresses: [PlantPath]), into actions: inout [Action]) {
        let entries = batch.addresses.compactMap { address in
            store.twins[address].map { PersistBatch.Entry(twin: $0, rules: rules.saved($0)) }
        }
        guard !entries.isEmpty else { return storageCompleted(batch.id, stored: true, into: &actions) }
        actions.append(.persist(PersistBatch(id: batch.id, entries: entries)))
    }

    /// A batch is done. Stored: the events that waited for it go, in order, and the twins of events that waited for it
    /// to finish are written. Failed: its twins are unsaved again and its events wait for the next batch (taken
    /// with the next routine write or the next alert, not at once: a failing disk is not hammered).
    mutating func storageCompleted(_ id: PersistBatch.ID, stored: Bool, into actions: inout [Action]) {
        writes.finish(id, stored: stored)
        if stored {
            release(gate.stored(id), into: &actions)
            writeHeldTwins(into: &actions)
            continueHandovers(into: &actions)
        } else {
            gate.failed(id)
        }
        guard stopping else { return }
        if stored { writeUnsaved(routine: false, into: &actions) }
        flushIfDone(into: &actions)
    }

    /// Stopping: what is unsaved is written, and ``Action/flushed`` follows once nothing is being written.
    mutating func stop(into actions: inout [Action]) {
        stopping = true
        writeUnsaved(routine: false, into: &actions)
        flushIfDone(into: &actions)
    }

    private mutating func flushIfDone(into actions: inout [Action]) {
        guard stopping, !writes.isWriting else { return }
        stopping = false
        actions.append(.flushed)
    }
}
