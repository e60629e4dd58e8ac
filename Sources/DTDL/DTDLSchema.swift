/// The schema of a DTDL value: a primitive, a complex schema (Enum, Object, Map, Array) or a reference to one of
/// the Interface's `schemas`, resolved by the parser.
public indirect enum DTDLSchema: Sendable, Equatable {
    /// `boolean`, `double`, `integer`, `string`, `dateTime`, a geospatial schema, ….
    case primitive(String)
    /// An Enum: its value schema (`integer` or `string`) and its values.
    case enumeration(valueSchema: String, values: [DTDLEnumValue], comment: String?)
    /// An Object's fields.
    case object([DTDLField])
    /// A Map from string keys to values of a schema.
    case map(key: String, value: DTDLField)
    /// An Array of elements of a schema.
    case array(DTDLSchema)

    /// The primitive schemas of DTDL v2 and v3.
    public static let primitives: Set<String> = [
        "boolean", "date", "dateTime", "double", "duration", "float", "integer", "long", "string", "time",
        "lineString", "multiLineString", "multiPoint", "multiPolygon", "point", "polygon",
    ]

    /// The numeric primitives, which may carry a semantic type and a unit.
    public static let numeric: Set<String> = ["double", "float", "integer", "long"]

    /// Whether this is a numeric primitive.
    public var isNumeric: Bool {
        if case .primitive(let name) = self { return Self.numeric.contains(name) }
        return false
    }

    /// A short name for messages: `double`, `Enum`, `Object`, ….
    public var summary: String {
        switch self {
        case .primitive(let name): name
        case .enumeration: "Enum"
        case .object: "Object"
        case .map: "Map"
        case .array: "Array"
        }
    }
}

/// One value of a DTDL Enum.
public struct DTDLEnumValue: Sendable, Equatable {
    public var name: String
    /// The on-the-wire value: an integer or a string, as the Enum's `valueSchema` says.
    public var value: Value
    public var displayName: String?
    public var comment: String?

    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case integer(Int)
        case string(String)

        public var description: String {
            switch self {
            case .integer(let number): "\(number)"
            case .string(let text): text
            }
        }
    }

    public init(name: String, value: Value, displayName: String? = nil, comment: String? = nil) {
        self.name = name
        self.value = value
        self.displayName = displayName
        self.comment = comment
    }
}

/// A named, typed value inside a schema or a command: an Object's field, a Map's value, a Command's request or
/// response.
public struct DTDLField: Sendable, Equatable {
    public var name: String
    public var schema: DTDLSchema
    /// Semantic types (QuantitativeTypes) the field is co-typed with.
    public var semanticTypes: [String]
    public var unit: String?

    public init(name: String, schema: DTDLSchema, semanticTypes: [String] = [], unit: String? = nil) {
        self.name = name
        self.schema = schema
        self.semanticTypes = semanticTypes
        self.unit = unit
    }
}
