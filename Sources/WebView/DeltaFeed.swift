import TwinModel

/// The changes of the fleet for every stream subscription that asks for the same twins, fields and rate, worked out
/// once and shared: a thousand clients following the whole floor cost one delta's encoding, not a thousand.
///
/// At each look at the fleet (every ``Key/tickInterval``) a feed gives a ``FeedOutput``: the alert events and
/// connectivity changes since its last one, and, at most at its rate, the delta of the twins that changed. A
/// subscription takes the outputs in order from the snapshot it was sent (``StreamSession/frames(for:now:)``);
/// one that missed some catches up from the journal on its own.
public struct DeltaFeed: Sendable {
    /// What the subscriptions sharing a feed have in common.
    public struct Key: Sendable, Hashable {
        public let filter: StreamFilter
        public let fields: FieldSelection
        /// Seconds between two deltas.
        public let interval: Double

        /// Whether a delta is due at `now` after one at `last`: within a twentieth of the interval of it counts, so
        /// that a clock that ticks at the interval is not made to wait a whole tick more by a rounding.
        func deltaDue(after last: Double, now: Double) -> Bool { now - last >= interval * 0.95 }

        /// Seconds between two looks at the fleet: the interval, at most a quarter second (events go at every look).
        public var tickInterval: Double { min(interval, 0.25) }
    }

    public let key: Key
    /// The journal number read up to.
    private var seen: UInt64
    /// The journal number the last output covered.
    private var outputThrough: UInt64
    /// The journal number the last delta looked at, and the last one sent (a delta in which nothing asked for
    /// changed is not sent: the next one follows on from the last one sent).
    private var deltaThrough: UInt64
    private var sentDeltaThrough: UInt64
    private var lastDelta: Double
    private var changes = FeedChanges()

    /// A feed that starts from the fleet as it is at `now`.
    public init(_ key: Key, fleet: WebFleet, now: Double) {
        self.key = key
        seen = fleet.journal.last
        outputThrough = seen
        deltaThrough = seen
        sentDeltaThrough = seen
        lastDelta = now
    }

    /// Reads the fleet's changes since the last look; returns what its subscriptions are due, `nil` when nothing.
    public mutating func advance(_ fleet: WebFleet, now: Double) -> FeedOutput? {
        let through = fleet.journal.last
        guard let journal = fleet.journal.changes(after: seen) else {
            // Not looked at for longer than the journal keeps: every subscription starts again from a snapshot.
            seen = through
            changes = FeedChanges()
            defer { (outputThrough, deltaThrough, sentDeltaThrough, lastDelta) = (through, through, through, now) }
            return FeedOutput(eventsAfter: outputThrough, through: through, events: [], delta: nil, lost: true)
        }
        changes.take(journal, numberedFrom: seen + 1, filter: key.filter, fleet: fleet)
        seen = through
        var delta: FeedOutput.Delta?
        if changes.hasTwinChanges, key.deltaDue(after: lastDelta, now: now) {
            let written = changes.deltaTwins(key.fields, changedAfter: deltaThrough, fleet: fleet)
            changes.clearTwins()
            if let written {
                delta = FeedOutput.Delta(after: sentDeltaThrough, through: through, twins: written.twins, removed: written.removed)
                sentDeltaThrough = through
                lastDelta = now
            }
            deltaThrough = through
        }
        guard delta != nil || !changes.events.isEmpty else { return nil }
        defer {
            changes.clearEvents()
            outputThrough = through
        }
        return FeedOutput(eventsAfter: outputThrough, through: through, events: changes.events, delta: delta, lost: false)
    }
}
