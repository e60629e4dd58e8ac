/// One message of a capture: when it came (seconds after the capture began), and what `twinhub replay` publishes
/// again: topic, payload, QoS, retain flag and MQTT 5 properties.
public struct CapturedMessage: Sendable, Hashable {
    /// Seconds after the capture began.
    public var offset: Double
    public var topic: String
    public var payload: [UInt8]
    public var qos: QoS
    public var retain: Bool
    public var properties: PublishProperties

    public init(offset: Double, topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: PublishProperties = .init()) {
        self.offset = offset
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    /// The message as received at `offset`.
    public init(_ message: MQTTMessage, offset: Double) {
        self.init(offset: offset, topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
                  properties: message.properties)
    }
}
