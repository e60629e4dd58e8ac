import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

/// One stream client's subscriptions and what it was sent, with no I/O: messages from the client in, frames out;
/// and at each tick of the runtime, the frames the changes of the fleet call for.
///
/// A subscription gets a snapshot of the twins it follows, then deltas of only the fields that changed, at most
/// its rate, each with a revision that grows by one per subscription; alert events and connectivity changes come
/// as messages of their own, at once. Nothing queues per client: between two deltas a subscription keeps the set
/// of twins that changed, and a delta reads their fields as they are when it goes (the latest value per twin and
/// field). A client that falls further behind than the fleet's journal keeps gets a `resync` and a fresh snapshot.
public struct StreamSession: Sendable {
    /// The most subscriptions one connection may hold.
    public static let maximumSubscriptions = 32

    struct Subscription: Sendable {
        let id: String
        let filter: StreamFilter
        let fields: FieldSelection
        /// Seconds between two deltas.
        let interval: Double
        var revision: UInt64 = 0
        /// The journal number at which each twin was last sent.
        var sent: [PlantPath: UInt64] = [:]
        /// Twins changed or removed since the last delta.
        var pending: Set<PlantPath> = []
        var lastDelta: Double = -.infinity
        var needsSnapshot = true
        var resyncReason: String?
    }

    private var subscriptions: [Subscription] = []
    /// The journal number read up to.
    private var seen: UInt64 = 0
    /// Messages refused (unreadable, or asking for what cannot be given).
    public private(set) var refused = 0
    /// Resyncs sent.
    public private(set) var resyncs = 0

    public init() {}

    /// Seconds between two looks at the fleet: its fastest subscription's interval, at most a quarter second (alert
    /// events and connectivity changes go at every look; the deltas keep to each subscription's own rate).
    public var tickInterval: Double { min(subscriptions.map(\.interval).min() ?? 0.25, 0.25) }

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
            subscriptions.append(Subscription(id: id, filter: filter, fields: fields, interval: 1 / rate))
            return []
        }
    }

    /// The frames due at `now` (seconds on any steady clock) from the fleet's changes since the last call.
    public mutating func frames(from fleet: WebFleet, now: Double) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let changes = fleet.journal.changes(after: seen)
        if changes == nil {
            // Only a subscription that was sent something fell behind; one still waiting for its snapshot gets it.
            for index in subscriptions.indices where !subscriptions[index].needsSnapshot {
                subscriptions[index].resyncReason = "fell behind the fleet's changes"
            }
        }
        for index in subscriptions.indices {
            var subscription = subscriptions[index]
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
            if subscription.needsSnapshot {
                frames.append(snapshot(&subscription, fleet: fleet, now: now))
            } else if let changes {
                for change in changes { note(change, for: &subscription, fleet: fleet, into: &frames) }
                if !subscription.pending.isEmpty, now - subscription.lastDelta >= subscription.interval {
                    if let delta = delta(&subscription, fleet: fleet, now: now) { frames.append(delta) }
                }
            }
            subscriptions[index] = subscription
        }
        seen = fleet.journal.last
        return frames
    }

    private func kind(of path: PlantPath, in fleet: WebFleet) -> String? { fleet.model.machines[path]?.kind }

    /// Takes one change of the fleet: twins it concerns wait for the next delta; events go out at once.
    private func note(_ change: ChangeJournal.Change, for subscription: inout Subscription, fleet: WebFleet, into frames: inout [[UInt8]]) {
        switch change {
        case .twin(let path):
            if subscription.filter.matches(path, kind: kind(of: path, in: fleet)) { subscription.pending.insert(path) }
        case .removed(let path):
            if subscription.sent[path] != nil { subscription.pending.insert(path) }
        case .alertEvent(let machine, let document):
            guard subscription.filter.matches(machine, kind: kind(of: machine, in: fleet)) else { return }
            frames.append(Self.frame { json in
                json.field("type", string: "alert")
                json.field("sub", string: subscription.id)
                json.key("event")
                json.element(document: document)
            })
        case .connectivity(let path, let status):
            guard subscription.filter.matches(path, kind: kind(of: path, in: fleet)) else { return }
            frames.append(Self.frame { json in
                json.field("type", string: "connectivity")
                json.field("sub", string: subscription.id)
                json.field("path", string: path.description)
                json.field("status", string: status)
            })
        }
    }

    private func snapshot(_ subscription: inout Subscription, fleet: WebFleet, now: Double) -> [UInt8] {
        subscription.needsSnapshot = false
        subscription.pending = []
        subscription.sent = [:]
        subscription.revision += 1
        subscription.lastDelta = now
        let number = fleet.journal.last
        var sent: [PlantPath: UInt64] = [:]
        let frame = Self.frame { json in
            json.field("type", string: "snapshot")
            json.field("sub", string: subscription.id)
            json.field("rev", integer: Int(subscription.revision))
            json.key("twins")
            json.open()
            for twin in fleet.model.sortedMachines where subscription.filter.matches(twin.key, kind: twin.kind) {
                guard let streamed = fleet.streamTwins[twin.key] else { continue }
                json.key(twin.key.description)
                json.open()
                _ = streamed.write(subscription.fields, changedAfter: 0, into: &json)
                json.close()
                sent[twin.key] = number
            }
            json.close()
        }
        subscription.sent = sent
        return frame
    }

    /// The delta of the pending twins: fields changed since each was last sent; `nil` when none of the fields
    /// asked for changed.
    private func delta(_ subscription: inout Subscription, fleet: WebFleet, now: Double) -> [UInt8]? {
        let number = fleet.journal.last
        var removed: [PlantPath] = []
        var twins = JSONWriter()
        twins.open()
        var any = false
        for path in subscription.pending {  // unsorted: a JSON object has no order, and sorting paths costs every delta
            guard let streamed = fleet.streamTwins[path] else {
                if subscription.sent.removeValue(forKey: path) != nil { removed.append(path) }
                continue
            }
            var fields = JSONWriter()
            fields.open()
            let wrote = streamed.write(subscription.fields, changedAfter: subscription.sent[path] ?? 0, into: &fields)
            fields.close()
            subscription.sent[path] = number
            guard wrote else { continue }
            twins.key(path.description)
            twins.element(document: fields.fragment)
            any = true
        }
        twins.close()
        subscription.pending = []
        guard any || !removed.isEmpty else { return nil }
        subscription.revision += 1
        subscription.lastDelta = now
        let revision = subscription.revision, id = subscription.id
        return Self.frame { json in
            json.field("type", string: "delta")
            json.field("sub", string: id)
            json.field("rev", integer: Int(revision))
            json.key("twins")
            json.element(document: twins.fragment)
            if !removed.isEmpty {
                json.key("removed")
                json.openArray()
                for path in removed { json.element(string: path.description) }
                json.closeArray()
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
