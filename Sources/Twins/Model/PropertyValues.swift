import Foundation

/// A twin's properties by name, in its kind's order (a generic twin: in the order it first saw them; a restored one:
/// its kind's, then the others by name): its reported values or their histories.
///
/// A view of arrays the twin already keeps (names, and a column of values at the same positions), read in place: a
/// dictionary per twin cost more than a kilobyte of hash table for the dozen properties a machine has, and looking up
/// a name among so few is as fast as hashing it.
public struct PropertyValues<Column: PropertyColumn>: RandomAccessCollection {
    /// The property names, at the positions of their values.
    public let names: [String]
    let column: Column

    init(names: [String], column: Column) {
        precondition(names.count == column.count)
        self.names = names
        self.column = column
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { names.count }

    public subscript(position: Int) -> (key: String, value: Column.Value) {
        (names[position], column[position])
    }

    /// The value of the property `name`, if the twin has it.
    public subscript(name: String) -> Column.Value? {
        names.position(ofName: name).map { column[$0] }
    }

    /// The same, as a dictionary (for storage). A twin tells spellings of another length apart (see
    /// `String.isSameName(as:)`), a dictionary does not: of two spellings of one name (`é`, `e` + U+0301), the later
    /// one is kept.
    public var dictionary: [String: Column.Value] {
        Dictionary(map { ($0.key, $0.value) }, uniquingKeysWith: { _, later in later })
    }
}

extension PropertyValues: Sendable where Column: Sendable {}

extension PropertyValues: Equatable where Column.Value: Equatable {
    public static func == (lhs: PropertyValues, rhs: PropertyValues) -> Bool {
        lhs.names == rhs.names && lhs.indices.allSatisfy { lhs.column[$0] == rhs.column[$0] }
    }
}

/// Values at the positions of a twin's property names: kept as they are, or made when read from what the twin keeps.
public protocol PropertyColumn {
    associatedtype Value
    var count: Int { get }
    subscript(position: Int) -> Value { get }
}

extension Array: PropertyColumn {}

/// The reported values of a twin's properties, made when read from the latest readings and the units, which a twin
/// of a known kind shares with its kind.
public struct ReportedColumn: PropertyColumn, Sendable {
    let readings: [LatestReading]
    let units: [String]

    public var count: Int { readings.count }

    public subscript(position: Int) -> ReportedProperty {
        let reading = readings[position]
        return ReportedProperty(value: reading.value, unit: units[position], sourceTime: reading.sourceTime,
                                receiveTime: reading.receiveTime, quality: reading.quality)
    }
}

/// A property's latest reading as a twin keeps it: a reported value but its unit, kept apart (a twin of a known
/// kind shares its kind's).
struct LatestReading: Sendable {
    var value: Double
    var sourceTime: Date
    var receiveTime: Date
    var quality: ReportedProperty.Quality

    init(value: Double, sourceTime: Date, receiveTime: Date, quality: ReportedProperty.Quality) {
        self.value = value
        self.sourceTime = sourceTime
        self.receiveTime = receiveTime
        self.quality = quality
    }

    init(_ property: ReportedProperty) {
        value = property.value
        sourceTime = property.sourceTime
        receiveTime = property.receiveTime
        quality = property.quality
    }
}
