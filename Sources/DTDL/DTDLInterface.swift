/// A DTDL Interface: its DTMI, what it extends and its contents, as read from a v2 or v3 document.
public struct DTDLInterface: Sendable {
    /// The `@id`, a DTMI with a version (`dtmi:com:example:CncMachine;1`).
    public var id: String
    /// 2 or 3: the DTDL version of its `@context`.
    public var dtdlVersion: Int
    /// The extension contexts it names (`dtmi:dtdl:extension:quantitativeTypes;1`, `dtmi:dtdl:extension:mqtt;1`).
    public var extensions: [String]
    /// The DTMIs of the Interfaces it extends (inline ones are read as Interfaces of their own).
    public var extends: [String]
    public var contents: [DTDLContent]
    public var displayName: String?
    public var description: String?
    public var comment: String?
    /// The MQTT extension's topics and payload format, when the Interface is co-typed `Mqtt`.
    public var mqtt: MQTTBinding?
    /// Where the Interface is.
    public var location: DTDLLocation
    /// Where its `extends` is, for errors about what it extends.
    public var extendsLocation: DTDLLocation?

    /// The MQTT extension's settings of an Interface.
    public struct MQTTBinding: Sendable, Equatable {
        public var telemetryTopic: String?
        public var commandTopic: String?
        public var payloadFormat: String?
    }

    public init(id: String, dtdlVersion: Int, extensions: [String] = [], extends: [String] = [], contents: [DTDLContent],
                displayName: String? = nil, description: String? = nil, comment: String? = nil, mqtt: MQTTBinding? = nil,
                location: DTDLLocation, extendsLocation: DTDLLocation? = nil) {
        self.id = id
        self.dtdlVersion = dtdlVersion
        self.extensions = extensions
        self.extends = extends
        self.contents = contents
        self.displayName = displayName
        self.description = description
        self.comment = comment
        self.mqtt = mqtt
        self.location = location
        self.extendsLocation = extendsLocation
    }
}
