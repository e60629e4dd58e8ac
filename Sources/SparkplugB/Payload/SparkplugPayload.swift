import Foundation
import SwiftProtobuf

/// A Sparkplug B payload (every message but STATE): when it was sent, the edge node's sequence number, and metrics.
///
/// Build the payload of each message type with the static builders (``nodeBirth(bdSeq:timestamp:metrics:)``, …) and
/// read one with ``init(decoding:as:dataType:)``, which checks what the message type requires.
public struct SparkplugPayload: Sendable, Hashable {
    /// When the message was sent, in ms since the epoch (UTC).
    public var timestamp: UInt64?
    /// The edge node's message sequence number, 0–255; absent from NDEATH, NCMD and DCMD.
    public var seq: UInt64?
    public var metrics: [SparkplugMetric]
    /// A schema or encoding id for ``body``.
    public var uuid: String?
    /// Custom bytes.
    public var body: [UInt8]?

    public init(timestamp: UInt64?, seq: UInt64? = nil, metrics: [SparkplugMetric], uuid: String? = nil, body: [UInt8]? = nil) {
        self.timestamp = timestamp
        self.seq = seq
        self.metrics = metrics
        self.uuid = uuid
        self.body = body
    }

    /// The protobuf encoding.
    public func encoded() -> [UInt8] {
        var payload = ProtoPayload()
        if let timestamp { payload.timestamp = timestamp }
        if let seq { payload.seq = seq }
        payload.metrics = metrics.map(\.proto)
        if let uuid { payload.uuid = uuid }
        if let body { payload.body = Data(body) }
        do {
            return try payload.serializedBytes()
        } catch {
            // Binary encoding fails only for a proto2 message missing a `required` field, and the schema has none.
            preconditionFailure("a Sparkplug payload without required fields failed to encode: \(error)")
        }
    }

    /// Reads a payload without checking what its message type requires.
    /// - Parameters:
    ///   - bytes: the MQTT message's payload.
    ///   - dataType: the data type of a metric that has none (data and command messages leave it out), from the
    ///     birth that named it: called with the metric's name and alias.
    /// - Throws: ``SparkplugError``: ``SparkplugError/Code/malformedPayload`` for bytes that are not the protobuf,
    ///   others for metrics whose values do not read (see ``SparkplugMetric``).
    public init(decoding bytes: [UInt8],
                dataType: (_ name: String?, _ alias: UInt64?) -> SparkplugDataType? = { _, _ in nil }) throws(SparkplugError) {
        let payload: ProtoPayload
        do {
            payload = try ProtoPayload(serializedBytes: bytes)
        } catch {
            throw SparkplugError(.malformedPayload, "not a Sparkplug B protobuf payload (\(bytes.count) bytes): \(error)")
        }
        var metrics: [SparkplugMetric] = []
        metrics.reserveCapacity(payload.metrics.count)
        for (index, metric) in payload.metrics.enumerated() {
            metrics.append(try SparkplugMetric(proto: metric, index: index, dataType: dataType))
        }
        self.init(timestamp: payload.hasTimestamp ? payload.timestamp : nil, seq: payload.hasSeq ? payload.seq : nil, metrics: metrics,
                  uuid: payload.hasUuid ? payload.uuid : nil, body: payload.hasBody ? Array(payload.body) : nil)
    }

    /// The first metric named `name`.
    public func metric(named name: String) -> SparkplugMetric? {
        metrics.first { $0.name == name }
    }
}
