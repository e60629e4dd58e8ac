import TwinModel

/// What one lease covers: the machines of a production line, or the plant's aggregates.
///
/// Lines, not machines: an owner subscribes to a handful of topic filters per line (`{root}/{site}/{area}/{line}/+/…`),
/// where per machine it would need as many per machine, and a broker's subscription table and every lease round grow
/// with the number of units. A line's machines also share their line's KPIs and rules' neighbourhood. The price is
/// coarser balance: with few lines per instance the shares are uneven (rendezvous hashing evens out over many units).
public enum PartitionUnit: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The machines of a line (`site/area/line`).
    case line(PlantPath)
    /// The publication of the plant's aggregates (line, area and site KPIs and alert counts): one instance at a time.
    case aggregates

    /// The name of the aggregates' lease: it starts with `*`, which no line path does.
    public static let aggregatesName = "*aggregates"

    /// The unit a lease's name stands for; `nil` for a name that is neither a line path nor the aggregates.
    public init?(name: String) {
        if name == Self.aggregatesName {
            self = .aggregates
            return
        }
        guard let path = PlantPath(name), path.level == .line else { return nil }
        self = .line(path)
    }

    /// The unit of a machine: its line.
    public init?(machine: PlantPath) {
        guard let line = machine.linePath else { return nil }
        self = .line(line)
    }

    /// The lease's name: the line's path, or ``aggregatesName``.
    public var name: String {
        switch self {
        case .line(let path): path.description
        case .aggregates: Self.aggregatesName
        }
    }

    /// The line, for a line's unit.
    public var line: PlantPath? {
        if case .line(let path) = self { return path }
        return nil
    }

    public var description: String { name }

    public static func < (lhs: PartitionUnit, rhs: PartitionUnit) -> Bool { lhs.name < rhs.name }
}
