/// What a document's `@context` says: the DTDL version and the extensions it uses.
struct DTDLContext: Sendable {
    var version: Int
    var extensions: [String]

    static let quantitativeTypes = "dtmi:dtdl:extension:quantitativeTypes;1"
    static let mqttPrefix = "dtmi:dtdl:extension:mqtt;"

    /// Whether the QuantitativeTypes semantic types may be used: built into v2, an extension in v3.
    var allowsSemanticTypes: Bool { version == 2 || extensions.contains(Self.quantitativeTypes) }
    /// Whether the MQTT extension is named.
    var allowsMQTT: Bool { extensions.contains { $0.hasPrefix(Self.mqttPrefix) } }
}
