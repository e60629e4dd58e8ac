import Foundation

/// One telemetry sample: the reported value of every property (sensor faults included), at a simulated time.
public struct TelemetrySample: Sendable, Equatable {
    public var time: Date
    /// Per-machine telemetry sequence number, from 1.
    public var sequence: UInt64
    /// Property name, unit and value; a property whose sensor has dropped out is absent.
    public var values: [Reading]

    public struct Reading: Sendable, Equatable {
        public var property: String
        public var value: Double
        public var unit: String

        public init(property: String, value: Double, unit: String) {
            self.property = property
            self.value = value
            self.unit = unit
        }
    }

    public init(time: Date, sequence: UInt64, values: [Reading]) {
        self.time = time
        self.sequence = sequence
        self.values = values
    }

    public func value(of property: String) -> Double? {
        values.first { $0.property == property }?.value
    }
}
