import Foundation
import Rules
import TwinModel

/// Alert events held until the twin each changed is stored, so that a restart never repeats or loses one, and let
/// out in the order they happened: an event whose twin is stored still waits for every event before it.
struct AlertEventGate: Sendable {
    private struct Held: Sendable {
        var event: AlertEvent
        var time: Date
        /// The batch that stores the twin as it was after the event; `nil` until one is taken (or after it failed).
        var batch: PersistBatch.ID?
        var stored = false
    }

    /// Oldest first.
    private var held: [Held] = []

    var isEmpty: Bool { held.isEmpty }

    /// Holds `event`, which happened at `time`, until its twin is stored.
    mutating func hold(_ event: AlertEvent, time: Date) {
        held.append(Held(event: event, time: time))
    }

    /// The twins of events that wait for a batch, each once, oldest first.
    var unassigned: [PlantPath] {
        var seen: Set<PlantPath> = []
        return held.lazy.filter { $0.batch == nil }.map(\.event.alert.address).filter { seen.insert($0).inserted }
    }

    /// The events of `addresses` that wait for a batch are stored by `batch`.
    mutating func assign(_ batch: PersistBatch.ID, to addresses: some Sequence<PlantPath>) {
        let addresses = Set(addresses)
        for index in held.indices where held[index].batch == nil && addresses.contains(held[index].event.alert.address) {
            held[index].batch = batch
        }
    }

    /// `batch` is stored: its events may go, once every event before them may too.
    /// - Returns: the events let out, in order, with their times.
    mutating func stored(_ batch: PersistBatch.ID) -> [(event: AlertEvent, time: Date)] {
        for index in held.indices where held[index].batch == batch { held[index].stored = true }
        let ready = held.prefix { $0.stored }.count
        defer { held.removeFirst(ready) }
        return held.prefix(ready).map { ($0.event, $0.time) }
    }

    /// `batch` could not be stored: its events wait for the next batch.
    mutating func failed(_ batch: PersistBatch.ID) {
        for index in held.indices where held[index].batch == batch { held[index].batch = nil }
    }
}
