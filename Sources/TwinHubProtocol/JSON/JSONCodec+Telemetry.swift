import Foundation
import TwinModel

/// Telemetry (`…/{machine}/telemetry`, QoS 0): sampled property values with units. The simulator writes it through `TelemetryEncoder` and the service reads it through `TelemetryDecoder`, fast paths held byte for byte to these by tests.
extension JSONCodec {
    /// `{"ts":…,"seq":…,"machine":…,"kind":…,"values":{"name":{"value":…,"unit":…},…}}`
    public static func telemetry(_ sample: TelemetrySample, machine: String, kind: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: sample.time)
        writer.field("seq", integer: Int(sample.sequence))
        writer.field("machine", string: machine)
        writer.field("kind", string: kind)
        writer.key("values")
        writer.open()
        for reading in sample.values { writer.member(reading) }
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// Reads a telemetry payload (the shape ``telemetry(_:machine:kind:)`` writes), readings sorted by name.
    /// - Throws: ``PayloadError``: too large, malformed JSON, a missing field, a wrong type, NaN or
    ///   Infinity, an invalid timestamp or sequence number.
    public static func decodeTelemetry(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize) throws(PayloadError) -> MachineTelemetry {
        try TelemetryDecoder.decode(bytes, maximumSize: maximumSize)
    }
}
