/// A JSON value read with its position: line and column of its first character, and its JSON path
/// (`/contents/3/schema`), so that every problem in a DTDL file can say where it is.
public struct JSONNode: Sendable {
    /// The value; an object keeps its members in file order.
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        /// A number, and whether it was written without fraction or exponent.
        case number(Double, isInteger: Bool)
        case string(String)
        case array([JSONNode])
        case object([Member])
    }

    /// One member of an object: its key (and the key's position) and its value.
    public struct Member: Sendable {
        public var key: String
        public var keyLine: Int
        public var keyColumn: Int
        public var value: JSONNode
    }

    public var value: Value
    /// 1-based line of the value's first character.
    public var line: Int
    /// 1-based column of the value's first character (in Unicode scalars).
    public var column: Int
    /// JSON Pointer of the value in its document (`""` for the root).
    public var path: String

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members of an object, or `nil` for anything else.
    public var members: [Member]? {
        if case .object(let members) = value { return members }
        return nil
    }

    /// The string, or `nil`.
    public var string: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    /// The elements of an array, or `nil`.
    public var array: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    /// What kind of JSON value this is, for messages.
    public var typeName: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
