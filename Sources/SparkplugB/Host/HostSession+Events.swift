extension HostSession {
    /// What the session is told; `now` is the host's clock, in ms since the epoch (UTC).
    public enum Event: Sendable {
        /// The runtime is about to connect: the session answers with its STATE will (offline, retained, QoS 1).
        case connecting(now: UInt64)
        /// The MQTT connection is up: subscribe, then publish the STATE birth.
        case connected(now: UInt64)
        /// A message arrived on a Sparkplug topic.
        case received(topic: String, payload: [UInt8], now: UInt64)
        /// Time passed (lets a reorder timeout expire when no message comes).
        case tick(now: UInt64)
        /// The host is disconnecting cleanly: publish STATE offline first.
        case disconnecting(now: UInt64)
        /// The connection was lost.
        case connectionLost(now: UInt64)
    }

    /// Where metrics live: an edge node itself, or one of its devices.
    public enum MetricSource: Sendable, Hashable, CustomStringConvertible {
        case node(EdgeNodeDescriptor)
        case device(DeviceDescriptor)

        public var description: String {
            switch self {
            case .node(let node): node.description
            case .device(let device): device.description
            }
        }
    }

    /// A decoded metric value, named and typed from its birth.
    public struct MetricUpdate: Sendable, Hashable {
        public var name: String
        /// `nil` when null.
        public var value: SparkplugValue?
        public var dataType: SparkplugDataType
        /// The birth's `engUnit` property.
        public var unit: String?
        /// When the value was taken (the metric's timestamp, else the payload's, else the host's clock), ms.
        public var timestamp: UInt64
        /// A historical value that should not replace the live one.
        public var isHistorical: Bool

        public init(name: String, value: SparkplugValue?, dataType: SparkplugDataType, unit: String?, timestamp: UInt64, isHistorical: Bool = false) {
            self.name = name
            self.value = value
            self.dataType = dataType
            self.unit = unit
            self.timestamp = timestamp
            self.isHistorical = isHistorical
        }
    }

    /// What the runtime (and the twin service behind it) does, in order.
    public enum Action: Sendable, Hashable {
        /// Connect, registering this will (STATE offline, QoS 1, retained).
        case connect(will: SparkplugPublication)
        /// Subscribe to these filters at QoS 1.
        case subscribe([String])
        case publish(SparkplugPublication)
        case disconnect
        /// A node (NBIRTH) or device (DBIRTH) is born: online, with every metric and its current value.
        case online(MetricSource, metrics: [MetricUpdate])
        /// New values (NDATA, DDATA).
        case updated(MetricSource, [MetricUpdate])
        /// A node (NDEATH: then each of its devices too) or device (DDEATH) is offline from `at`, these metrics stale.
        case offline(MetricSource, at: UInt64, staleMetrics: [String])
        /// An NCMD `Node Control/Rebirth` was published to the node, for this reason.
        case rebirthRequested(EdgeNodeDescriptor, reason: String)
        /// A message was refused (bad topic or payload).
        case refused(topic: String, SparkplugError)
        /// A valid message was ignored, and why (an NDEATH of an old session, another host's STATE).
        case ignored(topic: String, reason: String)
    }

    /// Which host this is and how long it waits for a missing message.
    public struct Configuration: Sendable {
        /// The Sparkplug host id: the STATE topic is `spBv1.0/STATE/{hostID}`.
        public let hostID: String
        /// How long out-of-order messages wait for the missing one before a rebirth request, in ms.
        public var reorderTimeout: UInt64

        /// - Throws: ``SparkplugError`` for a host id that cannot be a Sparkplug id.
        public init(hostID: String, reorderTimeout: UInt64 = 2_000) throws(SparkplugError) {
            self.hostID = try SparkplugID.validated(hostID, "host id")
            self.reorderTimeout = reorderTimeout
        }
    }
}
