import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

/// One stream client's subscriptions and what it was sent, with no I/O: messages from the client in, frames out;
/// and the frames the changes of the fleet call for.
///
/// A subscription gets a snapshot of the twins it follows, then deltas of only the fields that changed, at most
/// its rate, each with a revision that grows by one per subscription; alert events and connectivity changes come
/// as messages of their own, at once. Nothing queues per client: a delta reads its twins' fields as they are when it
/// goes (the latest value per twin and field). A client that falls further behind than the fleet's journal keeps
/// gets a `resync` and a fresh snapshot.
///
/// A session is either ``fed`` by the runtime's shared ``DeltaFeed``s (``frames(for:of:now:)``; it looks at the fleet
/// itself only for snapshots and to catch up after missing an output), or reads the fleet's journal itself at every
/// ``frames(from:now:)``.
public struct StreamSession: Sendable {
    /// The most subscriptions one connection may hold.
    public static let maximumSubscriptions = 32

    struct Subscription: Sendable {
        let id: String
        let key: DeltaFeed.Key
        var revision: UInt64 = 0
        /// The journal number up to which the client was sent its twins' fields, and the events.
        var through: UInt64 = 0
        var eventsThrough: UInt64 = 0
        var lastDelta: Double = -.infinity
        var needsSnapshot = true
        var resyncReason: String?
        /// Missed a feed's output: catches up from the journal at the next ``frames(from:now:)``.
        var behind = false
    }

    private var subscriptions: [Subscription] = []
    /// Whether shared feeds bring the changes (``frames(for:of:now:)``).
    public let fed: Bool
    /// Messages refused (unreadable, or asking for what cannot be given).
    public private(set) var refused = 0
    /// Resyncs sent.
    public private(set) var resyncs = 0

    public init(fed: Bool = false) {
        self.fed = fed
    }

    /// The feeds the subscriptions need.
    public var feedKeys: Set<DeltaFeed.Key> { Set(subscriptions.map(\.key)) }

    /// Whether ``frames(from:now:)`` has anything to do: a snapshot or resync due, a subscription behind, or no feeds.
    public var needsFleet: Bool {
        !fed || subscriptions.contains { $0.needsSnapshot || $0.resyncReason != nil || $0.behind }
    }

    /// Takes a message from the client; returns the frames to answer with (an error, a pong; a new subscription's
    /// snapshot comes with the next ``frames(from:now:)``).
    public mutating func receive(_ text: [UInt8]) -> [[UInt8]] {
        let request: StreamRequest
        do {
            request = try StreamRequest(text)
        } catch {
            refused += 1
            return [Self.error(error.reason, at: error.pointer, operation: error.operation, id: error.id)]
        }
        switch request {
        case .ping:
            return [Self.frame { $0.field("type", string: "pong") }]
        case .unsubscribe(let id):
            guard subscriptions.contains(where: { $0.id == id }) else {
                refused += 1
                return [Self.error("no subscription '\(id)'", at: "/id", operation: "unsubscribe", id: id)]
            }
            subscriptions.removeAll { $0.id == id }
            return [Self.frame { json in
                json.field("type", string: "unsubscribed")
                json.field("sub", string: id)
            }]
        case .subscribe(let id, let filter, let fields, let rate):
            let replacing = subscriptions.contains { $0.id == id }
            guard replacing || subscriptions.count < Self.maximumSubscriptions else {
                refused += 1
                return [Self.error("at most \(Self.maximumSubscriptions) subscriptions per connection", at: "/id", operation: "subscribe", id: id)]
            }
            subscriptions.removeAll { $0.id == id }
            subscriptions.append(Subscription(id: id, key: DeltaFeed.Key(filter: filter, fields: fields, interval: 1 / rate)))
            return []
        }
    }

    /// Every fed subscription missed outputs of its feed (the client was too slow to take them): each catches up
    /// from the journal at the next ``frames(from:now:)``.
    public mutating func fellBehind() {
        for index in subscriptions.indices { subscriptions[index].behind = true }
    }

    /// The frames due at `now` (seconds on any steady clock) from the fleet: snapshots and resyncs, and for each
    /// subscription that is not fed or fell behind, the fleet's changes since it was last sent something.
    public mutating func frames(from fleet: WebFleet, now: Double) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        for index in subscriptions.indices {
            var subscription = subscriptions[index]
            defer { subscriptions[index] = subscription }
            if subscription.resyncReason == nil, !subscription.needsSnapshot, !fed || subscription.behind {
                catchUp(&subscription, fleet: fleet, now: now, into: &frames)
            }
            if let reason = subscription.resyncReason {
                resyncs += 1
                frames.append(Self.frame { json in
                    json.field("type", string: "resync")
                    json.field("sub", string: subscription.id)
                    json.field("reason", string: reason)
                })
                subscription.resyncReason = nil
                subscription.needsSnapshot = true
            }
            if subscription.needsSnapshot { frames.append(snapshot(&subscription, fleet: fleet, now: now)) }
        }
        return frames
    }

    /// The frames an output of the feed `key` calls for, for the subscriptions it feeds.
    public mutating func frames(for output: FeedOutput, of key: DeltaFeed.Key, now: Double) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        for index in subscriptions.indices where subscriptions[index].key == key {
            var subscription = subscriptions[index]
            defer { subscriptions[index] = subscription }
            guard fed, !subscription.needsSnapshot, subscription.resyncReason == nil, !subscription.behind else { continue }
            if output.lost {
                subscription.resyncReason = "fell behind the fleet's changes"
                continue
            }
            // An output that does not follow on from what was sent: some went missing, so the journal tells.
            guard output.eventsAfter <= subscription.eventsThrough else {
                subscription.behind = true
                continue
            }
            for event in output.events where event.number > subscription.eventsThrough {
                frames.append(Self.frame(event, sub: subscription.id))
            }
            subscription.eventsThrough = max(subscription.eventsThrough, output.through)
            if let delta = output.delta, delta.through > subscription.through {
                guard delta.after <= subscription.through else {
                    subscription.behind = true
                    continue
                }
                frames.append(Self.delta(&subscription, twins: delta.twins, removed: delta.removed, through: delta.through, now: now))
            }
        }
        return frames
    }

    /// Reads the journal's changes since the subscription was last sent something: events at once, twins in a delta
    /// when one is due.
    private func catchUp(_ subscription: inout Subscription, fleet: WebFleet, now: Double, into frames: inout [[UInt8]]) {
        let from = min(subscription.through, subscription.eventsThrough)
        guard let journal = fleet.journal.changes(after: from) else {
            subscription.resyncReason = "fell behind the fleet's changes"
            return
        }
        let last = fleet.journal.last
        var changes = FeedChanges()
        changes.take(journal, numberedFrom: from + 1, filter: subscription.key.filter, fleet: fleet,
                     twinsAfter: subscription.through, eventsAfter: subscription.eventsThrough)
        for event in changes.events { frames.append(Self.frame(event, sub: subscription.id)) }
        subscription.eventsThrough = last
        guard changes.hasTwinChanges else {
            subscription.through = last
            subscription.behind = false
            return
        }
        guard subscription.key.deltaDue(after: subscription.lastDelta, now: now) else { return }
        if let written = changes.deltaTwins(subscription.key.fields, changedAfter: subscription.through, fleet: fleet) {
            frames.append(Self.delta(&subscription, twins: written.twins, removed: written.removed, through: last, now: now))
        }
        subscription.through = last
        subscription.behind = false
    }

    private func snapshot(_ subscription: inout Subscription, fleet: WebFleet, now: Double) -> [UInt8] {
        subscription.needsSnapshot = false
        subscription.behind = false
        subscription.revision += 1
        subscription.lastDelta = now
        subscription.through = fleet.journal.last
        subscription.eventsThrough = fleet.journal.last
        return Self.frame { json in
            json.field("type", string: "snapshot")
            json.field("sub", string: subscription.id)
            json.field("rev", integer: Int(subscription.revision))
            json.key("twins")
            json.open()
            for twin in fleet.model.sortedMachines where subscription.key.filter.matches(twin.key, kind: twin.kind) {
                guard let streamed = fleet.streamTwins[twin.key] else { continue }
                json.key(twin.key.description)
                json.open()
                _ = streamed.write(subscription.key.fields, changedAfter: 0, into: &json)
                json.close()
            }
            json.close()
        }
    }

    /// A delta message of the subscription's next revision.
    private static func delta(_ subscription: inout Subscription, twins: [UInt8], removed: [PlantPath], through: UInt64, now: Double) -> [UInt8] {
        subscription.revision += 1
        subscription.lastDelta = now
        subscription.through = through
        let revision = subscription.revision, id = subscription.id
        return frame { json in
            json.field("type", string: "delta")
            json.field("sub", string: id)
            json.field("rev", integer: Int(revision))
            json.key("twins")
            json.element(document: twins)
            if !removed.isEmpty {
                json.key("removed")
                json.openArray()
                for path in removed { json.element(string: path.description) }
                json.closeArray()
            }
        }
    }

    /// An event's message for subscription `sub`.
    static func frame(_ event: FeedEvent, sub: String) -> [UInt8] {
        frame { json in
            switch event.content {
            case .alert(let document):
                json.field("type", string: "alert")
                json.field("sub", string: sub)
                json.key("event")
                json.element(document: document)
            case .connectivity(let path, let status):
                json.field("type", string: "connectivity")
                json.field("sub", string: sub)
                json.field("path", string: path.description)
                json.field("status", string: status)
            }
        }
    }

    static func frame(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter()
        json.open()
        body(&json)
        json.close()
        return json.fragment
    }

    static func error(_ reason: String, at pointer: String, operation: String?, id: String?) -> [UInt8] {
        frame { json in
            json.field("type", string: "error")
            if let operation { json.field("op", string: operation) }
            if let id { json.field("sub", string: id) }
            json.field("reason", string: reason)
            json.field("at", string: pointer)
        }
    }
}
