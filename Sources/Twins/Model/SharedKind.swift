import TwinModel

/// A machine kind's interface held once for every twin of it: a twin keeps a reference, not a copy of the interface.
public final class SharedKind: Sendable {
    public let kind: MachineInterface
    /// The names of its properties, in its order: the twins that have them all share this array.
    let propertyNames: [String]
    /// Their units, shared the same way.
    let propertyUnits: [String]
    /// What a reading of each property is checked against, by name.
    private let checks: [String: ReadingCheck]

    public init(_ kind: MachineInterface) {
        self.kind = kind
        propertyNames = kind.properties.map(\.name)
        propertyUnits = kind.properties.map(\.unit)
        checks = Dictionary(kind.properties.map { ($0.name, ReadingCheck($0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// What a reading of property `name` is checked against, if the kind has it: hashed rather than scanned, and
    /// without copying the property's whole spec (both showed for every reading of every message).
    func check(for name: String) -> ReadingCheck? {
        guard let check = checks[name] else { return nil }  // not even canonically equal to a name of the kind
        if check.name.utf8.count == name.utf8.count { return check }
        // A spelling canonically equal to a name but of another length is another name (`isSameName`): scanned.
        return kind.property(named: name).map(ReadingCheck.init)
    }
}
