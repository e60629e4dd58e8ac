import Testing
@testable import SparkplugB

/// Shared fixtures: a line of a plant as an edge node, a machine on it as a device.
enum Fixture {
    static let node = try! EdgeNodeDescriptor(groupID: "plant1", edgeNodeID: "assembly:line1")
    static let device = try! DeviceDescriptor(node: node, deviceID: "cnc1")
    static let t0: UInt64 = 1_700_000_000_000

    static var deviceMetrics: [SparkplugMetricDefinition] {
        var unit = SparkplugPropertySet()
        unit.engineeringUnit = "rpm"
        unit.engineeringRange = 0...24_000
        return [
            SparkplugMetricDefinition(name: "spindle_speed", dataType: .double, properties: unit, value: .double(12_000)),
            SparkplugMetricDefinition(name: "State", dataType: .string, value: .string("running")),
            SparkplugMetricDefinition(name: "parts", dataType: .int64, value: .int64(0)),
        ]
    }
}

extension SparkplugPublication {
    /// The payload read back as `verb` (with the data types of `birth` for data messages).
    func decoded(birth: SparkplugPayload? = nil) throws -> SparkplugPayload {
        let verb = try #require(topic.verb)
        return try SparkplugPayload(decoding: payload, as: verb) { name, alias in
            birth?.metrics.first { ($0.name != nil && $0.name == name) || ($0.alias != nil && $0.alias == alias) }?.dataType
        }
    }
}

extension Array where Element == EdgeNodeSession.Action {
    /// The publications among the actions, in order.
    var publications: [SparkplugPublication] {
        compactMap { if case .publish(let publication) = $0 { publication } else { nil } }
    }
}

extension Array where Element == HostSession.Action {
    /// The publications among the actions, in order.
    var publications: [SparkplugPublication] {
        compactMap { if case .publish(let publication) = $0 { publication } else { nil } }
    }

    /// The nodes a rebirth was requested of.
    var rebirthRequests: [EdgeNodeDescriptor] {
        compactMap { if case .rebirthRequested(let node, _) = $0 { node } else { nil } }
    }
}

extension ProtoPayload {
    /// A raw payload, as another writer might build it.
    static func raw(timestamp: UInt64 = 1, seq: UInt64? = 1, metrics: [ProtoMetric]) -> ProtoPayload {
        var payload = ProtoPayload()
        payload.timestamp = timestamp
        if let seq { payload.seq = seq }
        payload.metrics = metrics
        return payload
    }
}

extension ProtoMetric {
    /// A raw metric with a name and a datatype, and what `configure` adds.
    static func raw(_ name: String?, _ type: SparkplugDataType?, _ configure: (inout ProtoMetric) -> Void = { _ in }) -> ProtoMetric {
        var metric = ProtoMetric()
        if let name { metric.name = name }
        if let type { metric.datatype = type.rawValue }
        configure(&metric)
        return metric
    }
}
