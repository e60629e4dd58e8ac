/// An MQTT message for the runtime to publish (or register as the will), exactly as Sparkplug requires it.
public struct SparkplugPublication: Sendable, Hashable {
    public var topic: SparkplugTopic
    public var payload: [UInt8]
    /// 0 or 1: births, deaths and data go at QoS 0 except the NDEATH will and STATE (QoS 1).
    public var qos: Int
    /// Only STATE is retained.
    public var retain: Bool

    public init(topic: SparkplugTopic, payload: [UInt8], qos: Int = 0, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
