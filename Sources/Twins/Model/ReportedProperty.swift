import Foundation
import TwinModel

/// One reported property.
public struct ReportedProperty: Sendable, Equatable, Codable, JSONStreamWritable {
    public enum Quality: String, Sendable, Codable {
        /// Fresh and within the normal operating range.
        case good
        /// Fresh but outside the normal range (still physically possible).
        case outOfRange = "out_of_range"
        /// Not updated for longer than the staleness limit.
        case stale
        /// The last reading was impossible and refused: the value shown is the last good one.
        case bad
    }

    public var value: Double
    public var unit: String
    /// When the machine sampled it.
    public var sourceTime: Date
    /// When the twin service received it.
    public var receiveTime: Date
    public var quality: Quality

    /// The JSON of its synthesized `Encodable` conformance, written directly (dates as seconds since 2001).
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        writer.key("value")
        try writer.element(finite: value)
        writer.field("unit", string: unit)
        writer.key("sourceTime")
        try writer.element(finite: sourceTime.timeIntervalSinceReferenceDate)
        writer.key("receiveTime")
        try writer.element(finite: receiveTime.timeIntervalSinceReferenceDate)
        writer.field("quality", string: quality.rawValue)
        writer.close()
    }
}
