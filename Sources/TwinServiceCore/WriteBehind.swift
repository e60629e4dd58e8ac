import TwinModel

/// Which twins have changed since they were stored, and which are being written. A twin is in at most one batch in
/// flight: batches may then be written side by side and land in any order, and a twin's older state never lands after
/// a newer one.
struct WriteBehind: Sendable {
    /// Whether there is storage at all (without, nothing is noted).
    let enabled: Bool
    /// Twins changed since they were last taken for a batch.
    private(set) var unsaved: Set<PlantPath> = []
    /// The twins of each batch in flight.
    private var inFlight: [PersistBatch.ID: [PlantPath]] = [:]
    /// The twins of every batch in flight.
    private var writing: Set<PlantPath> = []
    /// The routine batch in flight: at most one, so a slow disk makes the routine batches larger, not more.
    private var routine: PersistBatch.ID?
    private var lastID: UInt64 = 0

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func noteChanged(_ address: PlantPath) {
        if enabled { unsaved.insert(address) }
    }

    /// Whether `address` is in a batch being written.
    func isWriting(_ address: PlantPath) -> Bool { writing.contains(address) }

    /// Whether any batch is being written.
    var isWriting: Bool { !inFlight.isEmpty }

    /// Whether a routine batch is being written.
    var isWritingRoutine: Bool { routine != nil }

    /// Takes `addresses` for a new batch: they leave the unsaved twins. Those being written are left out (they go in a
    /// batch after theirs).
    /// - Returns: `nil` when every one of them is being written.
    mutating func take(_ addresses: some Sequence<PlantPath>) -> (id: PersistBatch.ID, addresses: [PlantPath])? {
        let taken = addresses.filter { !writing.contains($0) }
        guard !taken.isEmpty else { return nil }
        for address in taken { unsaved.remove(address) }
        return start(taken)
    }

    /// Takes every unsaved twin not being written, for the routine write.
    /// - Returns: `nil` when there is none.
    mutating func takeUnsaved() -> (id: PersistBatch.ID, addresses: [PlantPath])? {
        guard !unsaved.isEmpty else { return nil }
        var taken: [PlantPath] = []
        var left: [PlantPath] = []
        for address in unsaved {
            if writing.contains(address) { left.append(address) } else { taken.append(address) }
        }
        // Built again rather than emptied one by one: a set keeps the size of its largest burst (every twin) otherwise.
        unsaved = Set(left)
        guard !taken.isEmpty else { return nil }
        let batch = start(taken)
        routine = batch.id
        return batch
    }

    private mutating func start(_ addresses: [PlantPath]) -> (id: PersistBatch.ID, addresses: [PlantPath]) {
        lastID += 1
        let id = PersistBatch.ID(lastID)
        inFlight[id] = addresses
        writing.formUnion(addresses)
        return (id, addresses)
    }

    /// A batch is done: its twins are free for the next one. If it was not `stored`, they are unsaved again.
    mutating func finish(_ id: PersistBatch.ID, stored: Bool) {
        guard let addresses = inFlight.removeValue(forKey: id) else { return }
        writing.subtract(addresses)
        if routine == id { routine = nil }
        if !stored { unsaved.formUnion(addresses) }
        if inFlight.isEmpty { writing = [] }  // frees its table after a burst
    }
}
