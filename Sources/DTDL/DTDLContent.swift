/// One element of an Interface's `contents`: a Telemetry, Property, Command, Component or Relationship.
public struct DTDLContent: Sendable {
    /// What the element is, with what only that class has.
    public enum Kind: Sendable {
        case telemetry
        case property(writable: Bool)
        case command(request: DTDLField?, response: DTDLField?)
        /// A Component: the DTMI of the Interface it is an instance of.
        case component(interface: String)
        /// A Relationship, kept as metadata: the DTMI of its target, if it names one.
        case relationship(target: String?)

        /// The class's name in DTDL.
        public var className: String {
            switch self {
            case .telemetry: "Telemetry"
            case .property: "Property"
            case .command: "Command"
            case .component: "Component"
            case .relationship: "Relationship"
            }
        }
    }

    public var kind: Kind
    public var name: String
    /// The schema of a Telemetry or Property; `nil` for the other classes.
    public var schema: DTDLSchema?
    /// Semantic types (QuantitativeTypes, or DTDL v2's built-in ones) the element is co-typed with.
    public var semanticTypes: [String]
    /// The DTDL unit name (`degreeCelsius`), with a semantic type.
    public var unit: String?
    public var displayName: String?
    public var description: String?
    public var comment: String?
    public var location: DTDLLocation

    public init(kind: Kind, name: String, schema: DTDLSchema? = nil, semanticTypes: [String] = [], unit: String? = nil,
                displayName: String? = nil, description: String? = nil, comment: String? = nil, location: DTDLLocation) {
        self.kind = kind
        self.name = name
        self.schema = schema
        self.semanticTypes = semanticTypes
        self.unit = unit
        self.displayName = displayName
        self.description = description
        self.comment = comment
        self.location = location
    }
}
