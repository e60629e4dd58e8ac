import TwinModel

/// The recent changes of a ``WebFleet``, numbered: each stream session reads what came after the last change it
/// saw. Bounded: the oldest changes go first, and a session that has not read them gets a fresh snapshot instead
/// (a `resync`), so no client can make the server keep an unbounded backlog.
public struct ChangeJournal: Sendable {
    /// One change.
    public enum Change: Sendable, Equatable {
        /// A twin's snapshot changed (or a new twin appeared).
        case twin(PlantPath)
        /// A twin was removed (of the kind it had, when known).
        case removed(PlantPath, kind: String?)
        /// An alert event, as published.
        case alertEvent(machine: PlantPath, document: [UInt8])
        /// A twin's connectivity changed.
        case connectivity(PlantPath, status: String)
    }

    /// The most changes kept.
    public let capacity: Int
    private var entries: [Change] = []
    /// The position in `entries` of the oldest change, once full.
    private var head = 0
    /// The number of the latest change (0 before the first).
    public private(set) var last: UInt64 = 0

    public init(capacity: Int = 65_536) {
        self.capacity = max(1, capacity)
    }

    /// The number of the oldest change kept.
    public var first: UInt64 { last - UInt64(entries.count) + 1 }

    public mutating func append(_ change: Change) {
        last += 1
        if entries.count < capacity {
            entries.append(change)
        } else {
            entries[head] = change
            head = (head + 1) % capacity
        }
    }

    /// The changes after number `seen`, oldest first; `nil` when some of them are no longer kept.
    public func changes(after seen: UInt64) -> [Change]? {
        guard seen < last else { return [] }
        guard seen + 1 >= first else { return nil }
        let count = Int(last - seen)
        return (entries.count - count..<entries.count).map { entries[(head + $0) % entries.count] }
    }
}
