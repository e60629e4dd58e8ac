/// A message received on a subscription. Its bytes were copied out of libmosquitto; it owns them.
public struct MQTTMessage: Sendable, Hashable {
    /// The topic the message was published on.
    public var topic: String
    /// The payload bytes.
    public var payload: [UInt8]
    /// The QoS it was delivered at.
    public var qos: QoS
    /// Whether the broker delivered it from its retained store.
    public var retain: Bool
    /// MQTT 5 properties (empty with MQTT 3.1.1).
    public var properties: PublishProperties
    /// When libmosquitto handed the message over: how long it then waited is the consumer's lag.
    public var receivedAt: ContinuousClock.Instant?

    public init(topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false, properties: PublishProperties = .init(),
                receivedAt: ContinuousClock.Instant? = nil) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.receivedAt = receivedAt
    }

    /// The payload decoded as UTF-8, or `nil` if it is not valid UTF-8.
    public var payloadString: String? { String(validating: payload, as: UTF8.self) }
}

/// The MQTT 5 publish properties TwinHub sends and reads. Ignored with MQTT 3.1.1.
public struct PublishProperties: Sendable, Hashable {
    /// The broker discards the message if it cannot deliver it within this many seconds.
    public var messageExpiry: UInt32?
    /// MIME type of the payload, e.g. `application/json`.
    public var contentType: String?
    /// Application-defined name/value pairs, in order.
    public var userProperties: [UserProperty]

    /// One MQTT 5 user property.
    public struct UserProperty: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(messageExpiry: UInt32? = nil, contentType: String? = nil, userProperties: [UserProperty] = []) {
        self.messageExpiry = messageExpiry
        self.contentType = contentType
        self.userProperties = userProperties
    }

    /// Whether no property is set.
    public var isEmpty: Bool { messageExpiry == nil && contentType == nil && userProperties.isEmpty }
}

/// One publish, validated and ready to hand to libmosquitto.
public struct PublishRequest: Sendable {
    /// The largest payload an MQTT packet can carry (remaining length limit less a little header room).
    public static let maximumPayloadSize = 268_435_455 - 65_535 - 16

    public var topic: String
    public var payload: [UInt8]
    public var qos: QoS
    public var retain: Bool
    public var properties: PublishProperties

    /// Validates the topic and payload size.
    /// - Throws: ``MQTTError/Code/invalidTopic`` or ``MQTTError/Code/invalidPayload``.
    public init(topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false, properties: PublishProperties = .init()) throws(MQTTError) {
        try Topic.validateName(topic)
        guard payload.count <= Self.maximumPayloadSize else {
            throw MQTTError(.invalidPayload, "payload of \(payload.count) bytes is larger than MQTT allows", topic: topic)
        }
        if let contentType = properties.contentType, contentType.utf8.contains(0) {
            throw MQTTError(.invalidPayload, "content type must not contain NUL", topic: topic)
        }
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }
}
