import TwinModel

/// What a run of the fleet's change journal means for one filter: the twins to send again, the twins gone, and the
/// events (alert events and connectivity changes) in the order they came, each with its journal number.
struct FeedChanges: Sendable {
    private(set) var twins: Set<PlantPath> = []
    private(set) var removed: Set<PlantPath> = []
    private(set) var events: [FeedEvent] = []

    /// Takes `changes`, the first numbered `first`: twin changes numbered after `twinsAfter` wait for a delta, events
    /// numbered after `eventsAfter` are kept.
    mutating func take(_ changes: [ChangeJournal.Change], numberedFrom first: UInt64, filter: StreamFilter, fleet: WebFleet,
                       twinsAfter: UInt64 = 0, eventsAfter: UInt64 = 0) {
        for (offset, change) in changes.enumerated() {
            let number = first + UInt64(offset)
            switch change {
            case .twin(let path):
                guard number > twinsAfter, filter.matches(path, kind: fleet.model.machines[path]?.kind) else { continue }
                twins.insert(path)
                removed.remove(path)
            case .removed(let path, let kind):
                guard number > twinsAfter, filter.matches(path, kind: kind) else { continue }
                twins.remove(path)
                removed.insert(path)
            case .alertEvent(let machine, let document):
                guard number > eventsAfter, filter.matches(machine, kind: fleet.model.machines[machine]?.kind) else { continue }
                events.append(FeedEvent(number: number, content: .alert(document)))
            case .connectivity(let path, let status):
                guard number > eventsAfter, filter.matches(path, kind: fleet.model.machines[path]?.kind) else { continue }
                events.append(FeedEvent(number: number, content: .connectivity(path, status: status)))
            }
        }
    }

    /// Whether a delta has anything to look at.
    var hasTwinChanges: Bool { !twins.isEmpty || !removed.isEmpty }

    /// Forgets the twins taken (a delta went out), keeping nothing else.
    mutating func clearTwins() {
        twins = []
        removed = []
    }

    /// Forgets the events taken.
    mutating func clearEvents() { events = [] }

    /// The `twins` object of a delta: each changed twin's `fields` that changed after journal number `after`, as the
    /// fleet has them now; `nil` when none of them changed and no twin went.
    func deltaTwins(_ fields: FieldSelection, changedAfter after: UInt64, fleet: WebFleet) -> (twins: [UInt8], removed: [PlantPath])? {
        var json = JSONWriter()
        json.open()
        var any = false
        for path in twins {  // unsorted: a JSON object has no order, and sorting paths costs every delta
            guard let streamed = fleet.streamTwins[path] else { continue }
            var object = JSONWriter()
            object.open()
            let wrote = streamed.write(fields, changedAfter: after, into: &object)
            object.close()
            guard wrote else { continue }
            json.key(path.description)
            json.element(document: object.fragment)
            any = true
        }
        json.close()
        guard any || !removed.isEmpty else { return nil }
        return (json.fragment, removed.sorted())
    }
}

/// An alert event or a connectivity change, for the subscriptions that follow its machine.
public struct FeedEvent: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// An alert event as the twin service published it.
        case alert([UInt8])
        case connectivity(PlantPath, status: String)
    }

    /// Its number in the fleet's change journal.
    public let number: UInt64
    public let content: Content
}
