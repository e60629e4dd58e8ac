/// A metric's value, typed by its Sparkplug data type. A null value is the absence of one (`SparkplugValue?`).
public enum SparkplugValue: Sendable, Hashable {
    case int8(Int8), int16(Int16), int32(Int32), int64(Int64)
    case uint8(UInt8), uint16(UInt16), uint32(UInt32), uint64(UInt64)
    case float(Float), double(Double)
    case boolean(Bool)
    case string(String)
    /// Milliseconds since the epoch (UTC).
    case dateTime(UInt64)
    case text(String)
    case uuid(String)
    case bytes([UInt8])
    case file([UInt8])
    /// An array type's packed little-endian bytes, kept as they came (`type` is one of the `…Array` types).
    case array(SparkplugDataType, [UInt8])
    /// A DataSet or Template value: decoded as present, not interpreted (TwinHub writes neither).
    case opaque(SparkplugDataType)

    /// The value's data type.
    public var dataType: SparkplugDataType {
        switch self {
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        case .float: .float
        case .double: .double
        case .boolean: .boolean
        case .string: .string
        case .dateTime: .dateTime
        case .text: .text
        case .uuid: .uuid
        case .bytes: .bytes
        case .file: .file
        case .array(let type, _), .opaque(let type): type
        }
    }

    /// The value as a number, for the numeric types (integers, floats, DateTime in ms, Boolean as 0 or 1).
    public var number: Double? {
        switch self {
        case .int8(let value): Double(value)
        case .int16(let value): Double(value)
        case .int32(let value): Double(value)
        case .int64(let value): Double(value)
        case .uint8(let value): Double(value)
        case .uint16(let value): Double(value)
        case .uint32(let value): Double(value)
        case .uint64(let value): Double(value)
        case .float(let value): Double(value)
        case .double(let value): value
        case .dateTime(let value): Double(value)
        case .boolean(let value): value ? 1 : 0
        case .string, .text, .uuid, .bytes, .file, .array, .opaque: nil
        }
    }

    /// The value as text, for String, Text and UUID.
    public var text: String? {
        switch self {
        case .string(let value), .text(let value), .uuid(let value): value
        default: nil
        }
    }
}
