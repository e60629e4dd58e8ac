extension EdgeNodeSession {
    /// What the session is told; `now` is the clock, in ms since the epoch (UTC).
    public enum Event: Sendable {
        /// The runtime is about to connect: the session answers with the will (NDEATH) to register.
        case connecting(now: UInt64)
        /// The MQTT connection is up (CONNACK).
        case connected(now: UInt64)
        /// The connection was lost (the broker publishes the will).
        case connectionLost(now: UInt64)
        /// A message arrived on a subscribed topic (NCMD, DCMD, STATE).
        case received(topic: String, payload: [UInt8], now: UInt64)
        /// New values of edge node metrics.
        case nodeValues([SparkplugMetricUpdate], now: UInt64)
        /// A device came online with these metrics (their values current).
        case deviceOnline(deviceID: String, metrics: [SparkplugMetricDefinition], now: UInt64)
        /// New values of a device's metrics.
        case deviceValues(deviceID: String, [SparkplugMetricUpdate], now: UInt64)
        /// A device went offline while the node lives.
        case deviceOffline(deviceID: String, now: UInt64)
        /// The node is shutting down cleanly.
        case shutdown(now: UInt64)
    }

    /// What the runtime does, in order.
    public enum Action: Sendable, Hashable {
        /// Connect, registering this will (NDEATH, QoS 1, not retained).
        case connect(will: SparkplugPublication)
        /// Subscribe to these filters at QoS 1.
        case subscribe([String])
        case publish(SparkplugPublication)
        /// Disconnect (after publishing what came before); the runtime reconnects later with `.connecting`.
        case disconnect
        /// A host wrote these node metrics (names resolved from aliases; rebirth requests are handled here).
        case nodeCommand([SparkplugMetric])
        /// A host wrote these metrics of a device (names resolved from aliases).
        case deviceCommand(deviceID: String, [SparkplugMetric])
        /// An incoming message was refused (or a device whose id cannot be a Sparkplug id, named `group/node/id`).
        case refused(topic: String, SparkplugError)
    }

    /// Where the session stands.
    public enum Phase: Sendable, Hashable {
        case disconnected
        /// Connecting with the will of this bdSeq.
        case connecting(bdSeq: UInt8)
        /// Connected, waiting for the primary host's STATE to say online before the births.
        case waitingForHost(bdSeq: UInt8)
        /// Born: publishing data.
        case online(bdSeq: UInt8)
    }

    /// Which edge node, which primary host it waits for, and its own metrics.
    public struct Configuration: Sendable {
        public var node: EdgeNodeDescriptor
        /// The Sparkplug host id of the primary host application, or `nil` to publish without waiting for one.
        public var primaryHostID: String?
        /// The node's own metrics (besides `bdSeq` and `Node Control/Rebirth`).
        public var nodeMetrics: [SparkplugMetricDefinition]

        public init(node: EdgeNodeDescriptor, primaryHostID: String? = nil, nodeMetrics: [SparkplugMetricDefinition] = []) {
            self.node = node
            self.primaryHostID = primaryHostID
            self.nodeMetrics = nodeMetrics
        }
    }
}
