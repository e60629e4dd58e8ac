/// Everything that shapes one MQTT connection. Plain values; checked by ``validate()`` before use.
public struct ClientConfiguration: Sendable {
    /// The broker to connect to. User and password in the URL become the credentials.
    public var broker: BrokerURL
    /// MQTT 5 by default; 3.1.1 on request.
    public var protocolVersion: ProtocolVersion = .v5
    /// Client identifier. `nil` lets the broker assign one (only with a clean start).
    public var clientID: String?
    /// Keepalive interval; a PINGREQ goes out when nothing else has for this long. 5 s to 18 h.
    public var keepalive: Duration = .seconds(30)
    /// What happens to the session when the connection ends.
    public var session: SessionPolicy = .clean
    /// Message the broker publishes if this client's connection dies without a DISCONNECT.
    public var will: Will?
    /// The will of each connection attempt, made just before its CONNECT; when set it replaces ``will`` (a Sparkplug
    /// edge node's NDEATH carries one more bdSeq at every CONNECT). Runs on the client's thread: keep it short. A will it
    /// makes that cannot be set fails that attempt.
    public var willAtEachAttempt: (@Sendable () -> Will?)?
    /// TLS settings; used when ``broker`` is `mqtts://`.
    public var tls: TLSConfiguration = .init()
    /// Automatic reconnection after a lost connection.
    public var reconnect: ReconnectPolicy = .init()
    /// How long a connection attempt may take, TCP and CONNACK included, before it counts as failed.
    public var connectTimeout: Duration = .seconds(10)
    /// The bound on publishes waiting while disconnected (or while the socket is backed up).
    public var outgoingQueue: OutgoingQueuePolicy = .init()
    /// At most this many QoS 1/2 publishes are handed to libmosquitto without an acknowledgement yet.
    public var maxInflight: Int = 100
    /// MQTT 5: the broker keeps the retain flag of messages published while subscribed (retain as published), so a
    /// recorder can tell retained publications from others. Without it (and in 3.1.1) only messages from the
    /// retained store carry the flag.
    public var retainAsPublished = false
    /// Publishes sent first after every connect, first or automatic (a device's "online" status and its
    /// latest retained state), built at that moment. Invalid requests are logged and skipped.
    public var announcement: (@Sendable () -> [PublishRequest])?
    /// Told, on the client's thread, of every QoS 1 or 2 publish the broker refused (an MQTT 5 reason code of 0x80 or
    /// more, such as "not authorized" from an ACL): its topic and the reason in words. Also for publishes sent without
    /// waiting (`send`), whose refusal nobody else sees. Keep it short: it runs on the client's thread.
    public var publishRejected: (@Sendable (_ topic: String, _ reason: String) -> Void)?

    /// How the broker keeps this client's session.
    public enum SessionPolicy: Sendable, Hashable {
        /// Start fresh on every connect and forget the session on disconnect.
        case clean
        /// Keep subscriptions and queued QoS 1/2 messages for `expiry` after a disconnect
        /// (MQTT 5 session expiry; with MQTT 3.1.1 the broker's own expiry applies). Needs a client ID.
        case persistent(expiry: Duration)
    }

    /// A last will: published by the broker when the connection is lost without a DISCONNECT.
    public struct Will: Sendable, Hashable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: QoS
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// TLS for `mqtts://`: a CA file (or the operating system's certificates) and an optional client certificate.
    public struct TLSConfiguration: Sendable, Hashable {
        /// PEM file of the certificate authorities to trust. `nil` trusts the operating system's store.
        public var caFile: String?
        /// PEM client certificate, for brokers that require one.
        public var certificateFile: String?
        /// PEM private key of ``certificateFile``.
        public var keyFile: String?
        /// Skip host name verification. For tests against self-signed brokers only.
        public var skipHostnameVerification = false

        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, skipHostnameVerification: Bool = false) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.skipHostnameVerification = skipHostnameVerification
        }
    }

    /// Exponential backoff between reconnection attempts, with jitter so a fleet does not reconnect in step.
    public struct ReconnectPolicy: Sendable, Hashable {
        /// Reconnect automatically after an established connection is lost.
        public var enabled = true
        /// Delay before the first retry.
        public var initialDelay: Duration = .milliseconds(100)
        /// Upper bound of the delay.
        public var maximumDelay: Duration = .seconds(30)
        /// Growth factor per attempt.
        public var multiplier = 2.0
        /// Fraction of the delay randomised (0 = none, 0.2 = ±20 %).
        public var jitter = 0.2
        /// Retry the first connection too, as a lost one, instead of failing `connect()` at once: for a server that
        /// serves before its broker is up (`connect()` then waits, and the state shows the attempts).
        public var retriesFirstConnection = false

        public init(enabled: Bool = true, initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(30), multiplier: Double = 2.0,
                    jitter: Double = 0.2, retriesFirstConnection: Bool = false) {
            self.enabled = enabled
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.multiplier = multiplier
            self.jitter = jitter
            self.retriesFirstConnection = retriesFirstConnection
        }
    }

    /// The bounded queue of publishes not yet handed to libmosquitto.
    public struct OutgoingQueuePolicy: Sendable, Hashable {
        /// Most messages held.
        public var capacity = 10_000
        /// What to do with a publish when the queue is full.
        public var whenFull: OverflowPolicy = .dropOldest
        /// Drop what is still queued when a connection is made, before the announcement (counted as dropped): for a
        /// publisher whose messages belong to one connection, such as a Sparkplug edge node whose sequence numbers start
        /// again with its births.
        public var discardedOnConnect = false

        /// What a full queue drops.
        public enum OverflowPolicy: Sendable, Hashable {
            /// Drop the oldest queued message to make room: fresh telemetry matters more than stale.
            case dropOldest
            /// Refuse the new message: its publisher gets ``MQTTError/Code/dropped``.
            case dropNewest
        }

        public init(capacity: Int = 10_000, whenFull: OverflowPolicy = .dropOldest) {
            self.capacity = capacity
            self.whenFull = whenFull
        }
    }

    public init(broker: BrokerURL, clientID: String? = nil) {
        self.broker = broker
        self.clientID = clientID
    }

    /// Parses `url` and builds a configuration for it.
    /// - Throws: ``MQTTError/Code/invalidURL`` for a malformed URL.
    public init(url: String, clientID: String? = nil) throws(MQTTError) {
        self.init(broker: try BrokerURL(parsing: url), clientID: clientID)
    }

    /// Checks every option without touching the network.
    /// - Throws: ``MQTTError`` with code ``MQTTError/Code/invalidConfiguration`` or ``MQTTError/Code/invalidTopic``.
    public func validate() throws(MQTTError) {
        func invalid(_ why: String) -> MQTTError { MQTTError(.invalidConfiguration, why, host: broker.endpoint) }
        let keepaliveSeconds = keepalive.components.seconds
        guard (5...65_535).contains(keepaliveSeconds) else {
            throw invalid("keepalive must be from 5 s to 65535 s, not \(keepalive)")
        }
        if let clientID {
            guard !clientID.isEmpty, clientID.utf8.count <= 65_535, !clientID.utf8.contains(0) else {
                throw invalid("the client ID must be 1 to 65535 bytes without NUL")
            }
        }
        if case .persistent(let expiry) = session {
            guard clientID != nil else { throw invalid("a persistent session needs a client ID") }
            guard expiry > .zero, expiry.components.seconds <= Int64(UInt32.max) else {
                throw invalid("session expiry must be positive and at most \(UInt32.max) s")
            }
        }
        if let will {
            try Topic.validateName(will.topic)
            guard will.payload.count <= PublishRequest.maximumPayloadSize else {
                throw MQTTError(.invalidPayload, "the will payload is larger than MQTT allows", topic: will.topic)
            }
        }
        guard connectTimeout > .zero else { throw invalid("the connect timeout must be positive") }
        guard outgoingQueue.capacity >= 1 else { throw invalid("the outgoing queue needs room for at least one message") }
        guard (1...65_535).contains(maxInflight) else { throw invalid("maxInflight must be from 1 to 65535") }
        guard reconnect.initialDelay > .zero, reconnect.maximumDelay >= reconnect.initialDelay,
              reconnect.multiplier >= 1, (0...1).contains(reconnect.jitter) else {
            throw invalid("reconnect policy: need 0 < initialDelay ≤ maximumDelay, multiplier ≥ 1, jitter in 0…1")
        }
        if tls.certificateFile != nil && tls.keyFile == nil || tls.certificateFile == nil && tls.keyFile != nil {
            throw invalid("a TLS client certificate needs both the certificate file and the key file")
        }
    }
}
