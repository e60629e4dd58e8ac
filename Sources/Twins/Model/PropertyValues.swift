/// A twin's properties by name, in its kind's order (a generic twin: in the order it first saw them, restored from
/// storage by name): its reported values or their histories.
///
/// Two arrays the twin already keeps (names, and values at the same positions), shown without copying: a
/// dictionary per twin cost more than a kilobyte of hash table for the dozen properties a machine has, and
/// looking up a name among so few is as fast as hashing it.
public struct PropertyValues<Value: Sendable>: Sendable, RandomAccessCollection {
    /// The property names, at the positions of their values.
    public let names: [String]
    public let values: [Value]

    init(names: [String], values: [Value]) {
        precondition(names.count == values.count)
        self.names = names
        self.values = values
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }

    public subscript(position: Int) -> (key: String, value: Value) {
        (names[position], values[position])
    }

    /// The value of the property `name`, if the twin has it.
    public subscript(name: String) -> Value? {
        names.position(ofName: name).map { values[$0] }
    }

    /// The same, as a dictionary (for storage). A twin tells spellings of another length apart (see
    /// `String.isSameName(as:)`), a dictionary does not: of two spellings of one name (`é`, `e` + U+0301), the later
    /// one is kept.
    public var dictionary: [String: Value] {
        Dictionary(zip(names, values), uniquingKeysWith: { _, later in later })
    }
}

extension PropertyValues: Equatable where Value: Equatable {}
