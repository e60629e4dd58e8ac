/// A value as the protobuf `oneof` carries it, before its Sparkplug data type gives it a meaning.
enum WireScalar: Equatable {
    case int(UInt32)
    case long(UInt64)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes([UInt8])
    /// A DataSet, Template, PropertySet, PropertySetList or extension value (named for messages).
    case structured(String)

    /// The field's name in the schema, for error messages.
    var fieldName: String {
        switch self {
        case .int: "int_value"
        case .long: "long_value"
        case .float: "float_value"
        case .double: "double_value"
        case .bool: "boolean_value"
        case .string: "string_value"
        case .bytes: "bytes_value"
        case .structured(let name): name
        }
    }
}

extension SparkplugValue {
    /// The value as the wire carries it. Signed 8- and 16-bit integers go in their own width (-1 as Int8 is 255), the
    /// form every decoder reads; 32- and 64-bit ones as their two's-complement bit pattern.
    var wire: WireScalar {
        switch self {
        case .int8(let value): .int(UInt32(UInt8(bitPattern: value)))
        case .int16(let value): .int(UInt32(UInt16(bitPattern: value)))
        case .int32(let value): .int(UInt32(bitPattern: value))
        case .int64(let value): .long(UInt64(bitPattern: value))
        case .uint8(let value): .int(UInt32(value))
        case .uint16(let value): .int(UInt32(value))
        case .uint32(let value): .int(value)
        case .uint64(let value), .dateTime(let value): .long(value)
        case .float(let value): .float(value)
        case .double(let value): .double(value)
        case .boolean(let value): .bool(value)
        case .string(let value), .text(let value), .uuid(let value): .string(value)
        case .bytes(let value), .file(let value), .array(_, let value): .bytes(value)
        case .opaque(let type): .structured(type.description)
        }
    }

    /// Reads a wire value as `type`.
    ///
    /// Signed 8- and 16-bit integers are read from the low bits, so both the narrow form (-1 as Int8 is 255) and the
    /// sign-extended one other implementations send (4294967295) read as -1. Unsigned ones must fit their width.
    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/wrongType``) when the wire field does not match the type,
    ///   (``SparkplugError/Code/invalidValue``) when an unsigned value does not fit it.
    init(type: SparkplugDataType, wire: WireScalar, _ context: @autoclosure () -> String) throws(SparkplugError) {
        switch (type, wire) {
        case (.int8, .int(let raw)): self = .int8(Int8(truncatingIfNeeded: raw))
        case (.int16, .int(let raw)): self = .int16(Int16(truncatingIfNeeded: raw))
        case (.int32, .int(let raw)): self = .int32(Int32(bitPattern: raw))
        case (.int64, .long(let raw)): self = .int64(Int64(bitPattern: raw))
        case (.uint8, .int(let raw)):
            guard let value = UInt8(exactly: raw) else { throw SparkplugError(.invalidValue, "\(context()): \(raw) does not fit UInt8") }
            self = .uint8(value)
        case (.uint16, .int(let raw)):
            guard let value = UInt16(exactly: raw) else { throw SparkplugError(.invalidValue, "\(context()): \(raw) does not fit UInt16") }
            self = .uint16(value)
        case (.uint32, .int(let raw)): self = .uint32(raw)
        case (.uint64, .long(let raw)): self = .uint64(raw)
        case (.dateTime, .long(let raw)): self = .dateTime(raw)
        case (.float, .float(let raw)): self = .float(raw)
        case (.double, .double(let raw)): self = .double(raw)
        case (.boolean, .bool(let raw)): self = .boolean(raw)
        case (.string, .string(let raw)): self = .string(raw)
        case (.text, .string(let raw)): self = .text(raw)
        case (.uuid, .string(let raw)): self = .uuid(raw)
        case (.bytes, .bytes(let raw)): self = .bytes(raw)
        case (.file, .bytes(let raw)): self = .file(raw)
        case (let array, .bytes(let raw)) where array.isArray: self = .array(array, raw)
        case (.dataSet, .structured("dataset_value")), (.template, .structured("template_value")): self = .opaque(type)
        default:
            throw SparkplugError(.wrongType, "\(context()): a \(type) value cannot be in \(wire.fieldName)")
        }
    }
}
