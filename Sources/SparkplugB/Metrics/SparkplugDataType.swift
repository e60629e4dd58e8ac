/// The Sparkplug B data types (specification 3.0, section 6.4.16), with their wire numbers.
public enum SparkplugDataType: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case int8 = 1, int16 = 2, int32 = 3, int64 = 4
    case uint8 = 5, uint16 = 6, uint32 = 7, uint64 = 8
    case float = 9, double = 10
    case boolean = 11
    case string = 12
    /// Milliseconds since the epoch (UTC).
    case dateTime = 13
    case text = 14
    /// A UUID as text.
    case uuid = 15
    case dataSet = 16
    case bytes = 17
    case file = 18
    case template = 19
    /// Only in property values.
    case propertySet = 20
    /// Only in property values.
    case propertySetList = 21
    case int8Array = 22, int16Array = 23, int32Array = 24, int64Array = 25
    case uint8Array = 26, uint16Array = 27, uint32Array = 28, uint64Array = 29
    case floatArray = 30, doubleArray = 31, booleanArray = 32, stringArray = 33, dateTimeArray = 34

    /// Whether values of the type are packed into `bytes_value` (the array types).
    public var isArray: Bool { rawValue >= SparkplugDataType.int8Array.rawValue }

    /// The type's name in the specification (`Int64`, `Boolean`, `DateTime`, …).
    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .float: "Float"
        case .double: "Double"
        case .boolean: "Boolean"
        case .string: "String"
        case .dateTime: "DateTime"
        case .text: "Text"
        case .uuid: "UUID"
        case .dataSet: "DataSet"
        case .bytes: "Bytes"
        case .file: "File"
        case .template: "Template"
        case .propertySet: "PropertySet"
        case .propertySetList: "PropertySetList"
        case .int8Array: "Int8Array"
        case .int16Array: "Int16Array"
        case .int32Array: "Int32Array"
        case .int64Array: "Int64Array"
        case .uint8Array: "UInt8Array"
        case .uint16Array: "UInt16Array"
        case .uint32Array: "UInt32Array"
        case .uint64Array: "UInt64Array"
        case .floatArray: "FloatArray"
        case .doubleArray: "DoubleArray"
        case .booleanArray: "BooleanArray"
        case .stringArray: "StringArray"
        case .dateTimeArray: "DateTimeArray"
        }
    }

    /// The type of a wire number.
    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/wrongType``) for a number Sparkplug does not define.
    static func wire(_ number: UInt32, _ context: @autoclosure () -> String) throws(SparkplugError) -> SparkplugDataType {
        guard let type = SparkplugDataType(rawValue: number) else {
            throw SparkplugError(.wrongType, "\(context()): datatype \(number) is not a Sparkplug data type")
        }
        return type
    }
}
