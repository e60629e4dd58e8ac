/// The metrics of an edge node or a device: definitions with aliases, current values and the values last sent.
struct MetricTable: Sendable {
    struct Slot: Sendable {
        var definition: SparkplugMetricDefinition
        var alias: UInt64
        /// The value last published (in a birth or data message), for report by exception.
        var sent: SparkplugValue??
    }

    private(set) var slots: [Slot] = []
    /// Each name's slot (the first, should a name come twice).
    private var slotOfName: [String: Int] = [:]

    init(_ definitions: [SparkplugMetricDefinition], alias: (String) -> UInt64) {
        slots = definitions.map { Slot(definition: $0, alias: alias($0.name), sent: nil) }
        for (index, slot) in slots.enumerated() where slotOfName[slot.definition.name] == nil { slotOfName[slot.definition.name] = index }
    }

    /// Every metric as a birth carries it (name, alias, datatype, properties, current value); remembers them as sent.
    mutating func birth() -> [SparkplugMetric] {
        slots.indices.map { index in
            slots[index].sent = .some(slots[index].definition.value)
            return metric(slots[index])
        }
    }

    /// Takes new values; returns the metrics whose value differs from the one last sent, and remembers them as sent
    /// when `send` is true. Names the table does not know are ignored.
    mutating func update(_ updates: [SparkplugMetricUpdate], send: Bool) -> [SparkplugMetric] {
        var changed: [SparkplugMetric] = []
        for update in updates {
            guard let index = slotOfName[update.name] else { continue }
            slots[index].definition.value = update.value
            guard send, slots[index].sent != .some(update.value) else { continue }
            slots[index].sent = .some(update.value)
            changed.removeAll { $0.alias == slots[index].alias }
            changed.append(metric(slots[index]))
        }
        return changed
    }

    /// Forgets what was sent: the next birth sends everything again.
    mutating func forgetSent() {
        for index in slots.indices { slots[index].sent = nil }
    }

    /// The data type of a metric named `name` or aliased `alias`.
    func dataType(name: String?, alias: UInt64?) -> SparkplugDataType? {
        slot(name: name, alias: alias)?.definition.dataType
    }

    /// The name of a metric aliased `alias` (or `name` itself).
    func name(name: String?, alias: UInt64?) -> String? {
        slot(name: name, alias: alias)?.definition.name
    }

    private func slot(name: String?, alias: UInt64?) -> Slot? {
        if let name { return slotOfName[name].map { slots[$0] } }
        if let alias { return slots.first { $0.alias == alias } }
        return nil
    }

    private func metric(_ slot: Slot) -> SparkplugMetric {
        SparkplugMetric(name: slot.definition.name, alias: slot.alias, dataType: slot.definition.dataType, value: slot.definition.value,
                        properties: slot.definition.properties)
    }
}
