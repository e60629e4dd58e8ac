/// Which local subscriptions hold which topic filters, and which broker subscriptions exist for them.
///
/// Several local subscriptions may share a filter; the broker sees one subscription per distinct filter
/// (at the highest QoS asked for), created when the first holder arrives and removed when the last leaves.
/// With MQTT 5 every broker subscription carries its own subscription identifier, so an incoming message
/// is routed exactly to the holders of the filter it matched; without identifiers (MQTT 3.1.1) messages
/// are routed by matching the topic against every filter. Pure value type.
struct SubscriptionTable {
    /// One broker-side subscription.
    struct Entry: Equatable {
        let filter: String
        /// MQTT 5 subscription identifier (1…268,435,455).
        let identifier: Int
        var qos: QoS
        var holders: Set<UInt64>
    }

    private var entries: [String: Entry] = [:]
    private var filterByIdentifier: [Int: String] = [:]
    private var filtersByHolder: [UInt64: [String]] = [:]
    private var nextIdentifier = 1

    /// All broker subscriptions, in identifier order (the order to restore them after a reconnect).
    var all: [Entry] { entries.values.sorted { $0.identifier < $1.identifier } }

    /// Whether a message received can need an acknowledgement: some filter is subscribed at QoS 1 or 2.
    var acknowledgesReceipts: Bool { entries.values.contains { $0.qos != .atMostOnce } }

    /// Whether `holder` is registered.
    func contains(holder: UInt64) -> Bool { filtersByHolder[holder] != nil }

    /// Registers `holder` for `filters` and returns the entries whose SUBSCRIBE must go to the broker:
    /// new filters, and existing ones whose QoS went up.
    mutating func add(holder: UInt64, filters: [String], qos: QoS) -> [Entry] {
        var toSend: [Entry] = []
        var held: [String] = filtersByHolder[holder] ?? []
        for filter in filters where !held.contains(filter) {
            held.append(filter)
            if var entry = entries[filter] {
                entry.holders.insert(holder)
                if qos > entry.qos {
                    entry.qos = qos
                    toSend.append(entry)
                }
                entries[filter] = entry
            } else {
                let entry = Entry(filter: filter, identifier: nextIdentifier, qos: qos, holders: [holder])
                nextIdentifier = nextIdentifier == 268_435_455 ? 1 : nextIdentifier + 1
                entries[filter] = entry
                filterByIdentifier[entry.identifier] = filter
                toSend.append(entry)
            }
        }
        filtersByHolder[holder] = held
        return toSend
    }

    /// Removes `holder` and returns the filters nobody holds any more (to UNSUBSCRIBE).
    mutating func remove(holder: UInt64) -> [String] {
        guard let held = filtersByHolder.removeValue(forKey: holder) else { return [] }
        var released: [String] = []
        for filter in held {
            guard var entry = entries[filter] else { continue }
            entry.holders.remove(holder)
            if entry.holders.isEmpty {
                entries[filter] = nil
                filterByIdentifier[entry.identifier] = nil
                released.append(filter)
            } else {
                entries[filter] = entry
            }
        }
        return released
    }

    /// The holders a message on `topic` goes to. `identifiers` are the MQTT 5 subscription identifiers
    /// the broker attached; an identifier counts only if its filter matches the topic (a resumed session
    /// can hold identifiers an earlier process gave other filters). Otherwise the topic is matched
    /// against every filter.
    func holders(forTopic topic: String, identifiers: [Int]) -> Set<UInt64> {
        // The usual case, once per message: one identifier, whose holders are returned as they are.
        if identifiers.count == 1, let filter = filterByIdentifier[identifiers[0]], Topic.matches(filter: filter, topic: topic),
           let holders = entries[filter]?.holders {
            return holders
        }
        var result: Set<UInt64> = []
        let known = identifiers.compactMap { filterByIdentifier[$0] }.filter { Topic.matches(filter: $0, topic: topic) }
        if !known.isEmpty {
            for filter in known { result.formUnion(entries[filter]?.holders ?? []) }
            return result
        }
        for entry in entries.values where Topic.matches(filter: entry.filter, topic: topic) {
            result.formUnion(entry.holders)
        }
        return result
    }
}
