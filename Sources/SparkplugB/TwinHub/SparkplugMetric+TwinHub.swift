import Foundation
import TwinModel

extension SparkplugMetricDefinition {
    /// The metric of a TwinHub telemetry property: Double for `number`, Int64 for `integer`, with `engUnit` (the
    /// unit), `engLow` and `engHigh` (the property's physical limits) as properties.
    public init(property spec: PropertySpec, value: Double? = nil) {
        var properties = SparkplugPropertySet()
        properties.engineeringUnit = spec.unit
        properties.engineeringRange = spec.limits
        let dataType: SparkplugDataType = spec.type == .integer ? .int64 : .double
        self.init(name: spec.name, dataType: dataType, properties: properties,
                  value: value.flatMap { SparkplugValue(number: $0, as: dataType) })
    }

    /// The metric of a machine's operational state (String, e.g. `running`).
    public static func machineState(_ state: MachineState?) -> SparkplugMetricDefinition {
        SparkplugMetricDefinition(name: machineStateMetricName, dataType: .string, value: state.map { .string($0.rawValue) })
    }

    /// The name of the metric carrying a machine's ``MachineState``.
    public static let machineStateMetricName = "State"
}

extension SparkplugValue {
    /// A TwinHub number as a value of `type`: integers rounded (`nil` when out of range), Float and Double as they are,
    /// Boolean true for anything but 0, DateTime as ms. `nil` for a non-finite number or a non-numeric type.
    public init?(number: Double, as type: SparkplugDataType) {
        guard number.isFinite else { return nil }
        let rounded = number.rounded()
        switch type {
        case .double: self = .double(number)
        case .float: self = .float(Float(number))
        case .boolean: self = .boolean(number != 0)
        case .int8: guard let value = Int8(exactly: rounded) else { return nil }; self = .int8(value)
        case .int16: guard let value = Int16(exactly: rounded) else { return nil }; self = .int16(value)
        case .int32: guard let value = Int32(exactly: rounded) else { return nil }; self = .int32(value)
        case .int64: guard let value = Int64(exactly: rounded) else { return nil }; self = .int64(value)
        case .uint8: guard let value = UInt8(exactly: rounded) else { return nil }; self = .uint8(value)
        case .uint16: guard let value = UInt16(exactly: rounded) else { return nil }; self = .uint16(value)
        case .uint32: guard let value = UInt32(exactly: rounded) else { return nil }; self = .uint32(value)
        case .uint64, .dateTime:
            guard let value = UInt64(exactly: rounded) else { return nil }
            self = type == .uint64 ? .uint64(value) : .dateTime(value)
        default: return nil
        }
    }

    /// A date as a DateTime value (ms since the epoch, UTC); `nil` before 1970.
    public init?(date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard let value = UInt64(exactly: milliseconds) else { return nil }
        self = .dateTime(value)
    }

    /// A DateTime value as a date.
    public var date: Date? {
        guard case .dateTime(let milliseconds) = self else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A Boolean value.
    public var bool: Bool? {
        guard case .boolean(let value) = self else { return nil }
        return value
    }
}
