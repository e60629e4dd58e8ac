/// Messages waiting for the twin service's core, oldest first, that sheds load on purpose when the core falls behind:
/// once `sheddingDepth` messages wait, a machine's new telemetry takes the place of its older telemetry still waiting,
/// which is shed and counted. Under overload the twins then see each machine's latest sample, and the messages
/// behind (a fault's sample among them) wait for at most one message per machine; states, counters, statuses, desired
/// states and acknowledgements (no shedding key) are never shed. Pure: the runtime feeds it from the MQTT
/// subscription and drains it into the core.
public struct SheddingQueue<Element: Sendable>: Sendable {
    /// From this many waiting messages on, telemetry is shed; `nil` never sheds.
    public let sheddingDepth: Int?
    /// Messages shed so far.
    public private(set) var shed = 0
    /// Messages waiting.
    public private(set) var count = 0

    /// Waiting slots from `start` on; a shed message leaves an empty slot behind.
    private var slots: [Element?] = []
    private var start = 0
    /// Where each key's latest waiting message is, as an absolute position (`dropped` + its index in `slots`).
    private var latest: [String: Int] = [:]
    /// Slots taken out of `slots` for good: absolute positions are `dropped` + index.
    private var dropped = 0

    public init(sheddingDepth: Int?) {
        self.sheddingDepth = sheddingDepth
    }

    /// Appends `element`. With a `key` (a machine's telemetry topic), an older message of the same key still waiting
    /// is shed when at least `sheddingDepth` messages wait.
    public mutating func append(_ element: Element, key: String?) {
        let position = dropped + slots.count
        // Keys are kept only from half the depth on: a queue that keeps up (nearly always empty) keeps none.
        if let key, let sheddingDepth, count >= sheddingDepth / 2 {
            if count >= sheddingDepth, let older = latest[key], older >= dropped + start, slots[older - dropped] != nil {
                slots[older - dropped] = nil
                count -= 1
                shed += 1
            }
            latest[key] = position
        }
        slots.append(element)
        count += 1
    }

    /// The oldest waiting message, if any.
    public mutating func popFirst() -> Element? {
        while start < slots.count {
            let element = slots[start]
            slots[start] = nil
            start += 1
            if let element {
                count -= 1
                if count == 0 { reset() } else { compactIfWorthIt() }
                return element
            }
        }
        compactIfWorthIt()
        return nil
    }

    /// Empty again: forgets every key and position.
    private mutating func reset() {
        dropped += slots.count
        slots.removeAll(keepingCapacity: slots.count <= 1024)
        start = 0
        if !latest.isEmpty { latest = [:] }
    }

    /// Gives back the room of taken slots once they are most of the array; forgets keys whose message is gone.
    private mutating func compactIfWorthIt() {
        guard start >= 1024, start * 2 >= slots.count else { return }
        slots.removeFirst(start)
        dropped += start
        start = 0
        if latest.count > 4 * max(count, 256) { latest = latest.filter { $0.value >= dropped } }
    }
}
