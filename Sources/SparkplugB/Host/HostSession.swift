/// A Sparkplug B primary host application as a value: events in (connection, messages, the clock), actions out
/// (connect with a STATE will, subscribe, publish STATE and rebirth requests, and what the twin service applies:
/// nodes and devices online with their metrics, updates, offline with stale metrics).
///
/// Rules it keeps (specification 3.0, chapter 5):
/// - Per edge node, the bdSeq of its NBIRTH, and the metrics of its NBIRTH and DBIRTHs by name and alias.
/// - Each sequenced message (NBIRTH, DBIRTH, NDATA, DDATA, DDEATH) must carry the last seq + 1 (mod 256). One that
///   comes early is held; when the missing ones arrive within the reorder timeout the held ones follow in order,
///   else the host asks for a rebirth (NCMD `Node Control/Rebirth` = true) and drops sequenced messages until the
///   NBIRTH. Data before a birth, or with an alias no birth named, asks for a rebirth too.
/// - An NDEATH whose bdSeq is not that of the node's current NBIRTH is ignored; one that is marks the node and all
///   its devices offline and their metrics stale. A DDEATH does so for one device.
/// - It accepts any metric names, data types and optional fields, whoever wrote the edge node.
public struct HostSession: Sendable {
    public let configuration: Configuration
    var nodes: [EdgeNodeDescriptor: HostNodeRecord] = [:]
    /// When a rebirth was last asked of each node: at most one request per reorder timeout.
    var rebirthRequests: [EdgeNodeDescriptor: UInt64] = [:]
    private var connectTimestamp: UInt64?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The STATE topic of this host.
    public var stateTopic: SparkplugTopic { .state(hostID: configuration.hostID) }

    /// Whether the session holds a node online (its NBIRTH seen, no NDEATH since).
    public func isOnline(_ node: EdgeNodeDescriptor) -> Bool { nodes[node]?.online ?? false }

    /// Handles one event and returns what to do, in order. Reorder timeouts that expired by `now` come first.
    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .connecting(let now):
            connectTimestamp = now
            return [.connect(will: state(online: false, timestamp: now))]
        case .connected(let now):
            let timestamp = connectTimestamp ?? now
            return [.subscribe([SparkplugTopic.allMessagesFilter]), .publish(state(online: true, timestamp: timestamp))]
        case .disconnecting(let now):
            connectTimestamp = nil
            return [.publish(state(online: false, timestamp: now)), .disconnect]
        case .connectionLost:
            connectTimestamp = nil
            return []
        case .tick(let now):
            return expire(now)
        case .received(let text, let payload, let now):
            var actions = expire(now)
            do {
                actions += try received(SparkplugTopic(parsing: text), text, payload, now: now)
            } catch {
                actions.append(.refused(topic: text, error))
            }
            return actions
        }
    }

    private func state(online: Bool, timestamp: UInt64) -> SparkplugPublication {
        SparkplugPublication(topic: stateTopic, payload: HostState(online: online, timestamp: timestamp).encoded(), qos: 1, retain: true)
    }

    private mutating func received(_ topic: SparkplugTopic, _ text: String, _ payload: [UInt8], now: UInt64) throws(SparkplugError) -> [Action] {
        switch topic {
        case .state(let hostID):
            guard hostID == configuration.hostID else { return [.ignored(topic: text, reason: "the STATE of another host")] }
            // The broker delivered an offline STATE for us (an old will) while we are connected: say online again.
            guard let connectTimestamp, !(try HostState(decoding: payload)).online else { return [] }
            return [.publish(state(online: true, timestamp: connectTimestamp))]
        case .node(.ncmd, _), .device(.dcmd, _):
            return []
        case .node(.ndeath, let node):
            return nodeDeath(node, try SparkplugPayload(decoding: payload, as: .ndeath).birthDeathSequence(.ndeath), text, now: now)
        case .node(.nbirth, let node):
            let birth = try SparkplugPayload(decoding: payload, as: .nbirth)
            let seq = try birth.sequenceNumber(.nbirth)
            nodes[node] = HostNodeRecord(bdSeq: try birth.birthDeathSequence(.nbirth), seq: seq, metrics: birth.metrics)
            rebirthRequests[node] = nil
            return [.online(.node(node), metrics: updates(birth, HostNodeRecord.MetricSet(birth.metrics), now: now))]
        case .node(let verb, let node):
            let seq = try SparkplugPayload.peekSequenceNumber(payload, verb)
            return sequenced(HostNodeRecord.Held(topic: topic, text: text, payload: payload), seq: seq, node: node, now: now)
        case .device(let verb, let device):
            let seq = try SparkplugPayload.peekSequenceNumber(payload, verb)
            return sequenced(HostNodeRecord.Held(topic: topic, text: text, payload: payload), seq: seq, node: device.node, now: now)
        }
    }

    private mutating func nodeDeath(_ node: EdgeNodeDescriptor, _ bdSeq: UInt8, _ text: String, now: UInt64) -> [Action] {
        guard var record = nodes[node], record.online, record.bdSeq == bdSeq else {
            let current = nodes[node].map { $0.online ? "\($0.bdSeq)" : "none: the node is offline" } ?? "none: no NBIRTH seen"
            return [.ignored(topic: text, reason: "NDEATH with bdSeq \(bdSeq) is not of the current session (bdSeq \(current))")]
        }
        var actions: [Action] = [.offline(.node(node), at: now, staleMetrics: record.metrics.names)]
        for (id, device) in record.devices.sorted(by: { $0.key < $1.key }) where device.online {
            if let descriptor = try? DeviceDescriptor(node: node, deviceID: id) {
                actions.append(.offline(.device(descriptor), at: now, staleMetrics: device.metrics.names))
            }
        }
        record.online = false
        record.devices = [:]
        record.held = [:]
        record.gapSince = nil
        record.awaitingRebirth = false
        nodes[node] = record
        return actions
    }
}
