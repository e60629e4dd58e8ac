import TwinModel

/// What a ``DeltaFeed`` gives its subscriptions at one look at the fleet. The numbers are the fleet's change journal's:
/// a subscription takes an output only if it follows on from what the subscription was last sent, so none can miss a
/// change unnoticed.
public struct FeedOutput: Sendable {
    /// A delta: the twins' fields that changed in the journal's span `after`…`through`, written once for every
    /// subscription of the feed.
    public struct Delta: Sendable {
        public let after: UInt64
        public let through: UInt64
        /// The `twins` object of the delta message.
        public let twins: [UInt8]
        public let removed: [PlantPath]
    }

    /// The events are those numbered `eventsAfter`…`through`.
    public let eventsAfter: UInt64
    public let through: UInt64
    public let events: [FeedEvent]
    public let delta: Delta?
    /// The feed fell further behind than the journal keeps: its subscriptions need a fresh snapshot.
    public let lost: Bool
}
