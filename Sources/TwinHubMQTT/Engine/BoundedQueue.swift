import DequeModule

/// A FIFO queue with a hard bound and an overflow policy; what it drops is handed back to the caller,
/// who counts it and fails its waiter. Pure value type.
struct BoundedQueue<Element> {
    private var storage: Deque<Element> = []
    let capacity: Int
    let policy: ClientConfiguration.OutgoingQueuePolicy.OverflowPolicy

    init(capacity: Int, policy: ClientConfiguration.OutgoingQueuePolicy.OverflowPolicy) {
        precondition(capacity > 0, "a bounded queue needs room for one element")
        self.capacity = capacity
        self.policy = policy
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }
    var first: Element? { storage.first }

    /// Appends `element`; if the queue was full, returns the element that was dropped for it
    /// (the oldest one, or `element` itself under `.dropNewest`).
    mutating func append(_ element: Element) -> Element? {
        guard storage.count >= capacity else {
            storage.append(element)
            return nil
        }
        switch policy {
        case .dropNewest:
            return element
        case .dropOldest:
            let dropped = storage.removeFirst()
            storage.append(element)
            return dropped
        }
    }

    mutating func popFirst() -> Element? { storage.popFirst() }

    /// Empties the queue and returns what it held, oldest first.
    mutating func removeAll() -> [Element] {
        defer { storage.removeAll() }
        return Array(storage)
    }
}
