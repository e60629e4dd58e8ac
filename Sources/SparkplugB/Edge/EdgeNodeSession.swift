/// A Sparkplug B edge node as a value: events in (connection, messages, values, devices), actions out (connect with a
/// will, subscribe, publish, disconnect, commands for the node's devices). No I/O: the runtime performs the actions.
///
/// Rules it keeps (specification 3.0, chapters 5 and 6):
/// - `bdSeq` is 0 at the first connect and one more at each connect after (an attempt the broker never accepted does
///   not count), 255 wrapping to 0. The NDEATH will of a
///   connect and every NBIRTH of that connection (rebirths too) carry the same bdSeq.
/// - `seq` is 0 in each NBIRTH and one more (255 → 0) in every message after it but NDEATH.
/// - A rebirth request (NCMD `Node Control/Rebirth` = true) re-sends the NBIRTH and every online device's DBIRTH.
/// - A device going offline while the node lives sends a DDEATH; coming back, a DBIRTH.
/// - Report by exception: a data message carries only the metrics whose value changed since last sent, by alias.
/// - With a primary host configured, births go out only once that host's STATE says online; a later STATE saying
///   offline (not older than the last one) makes the node publish its NDEATH and disconnect.
public struct EdgeNodeSession: Sendable {
    public let configuration: Configuration
    public private(set) var phase: Phase = .disconnected
    /// The bdSeq the next connect will use.
    public private(set) var nextBdSeq: UInt8 = 0
    /// The seq the next message will carry.
    public private(set) var nextSeq: UInt8 = 0
    /// Whether the primary host's last valid STATE said online (reset at each connect: its retained STATE comes again).
    public private(set) var primaryHostOnline = false
    /// The timestamp of the primary host's last valid STATE.
    public private(set) var lastHostStateTimestamp: UInt64?

    private var nodeMetrics: MetricTable
    private var devices: [Device] = []
    /// Aliases by device id ("" for the node) and metric name: kept for the node's life, unique across it.
    private var aliases: [AliasKey: UInt64] = [:]
    private var nextAlias: UInt64 = 1

    private struct Device: Sendable {
        var id: String
        var descriptor: DeviceDescriptor
        var metrics: MetricTable
        var online: Bool
    }

    private struct AliasKey: Hashable, Sendable {
        var device: String
        var metric: String
    }

    public init(configuration: Configuration) {
        self.configuration = configuration
        // Node metrics take the first aliases, 1 upwards, in order.
        nodeMetrics = MetricTable(configuration.nodeMetrics) { _ in 0 }
        nodeMetrics = MetricTable(configuration.nodeMetrics) { alias(device: "", metric: $0) }
    }

    /// Handles one event and returns what to do, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .connecting(let now):
            // The bdSeq moves on only once a CONNECT carrying it was accepted: attempts that failed (no broker) reuse it.
            let bdSeq = nextBdSeq
            phase = .connecting(bdSeq: bdSeq)
            return [.connect(will: death(bdSeq: bdSeq, now: now))]
        case .connected(let now):
            guard case .connecting(let bdSeq) = phase else { return [] }
            nextBdSeq = bdSeq &+ 1
            primaryHostOnline = false
            var actions: [Action] = [.subscribe(subscriptions)]
            if configuration.primaryHostID == nil {
                actions += births(bdSeq: bdSeq, now: now)
            } else {
                phase = .waitingForHost(bdSeq: bdSeq)
            }
            return actions
        case .connectionLost:
            phase = .disconnected
            return []
        case .received(let topic, let payload, let now):
            do {
                return try received(topic: topic, payload: payload, now: now)
            } catch {
                return [.refused(topic: topic, error)]
            }
        case .nodeValues(let updates, let now):
            let changed = nodeMetrics.update(updates, send: isOnline)
            guard isOnline, !changed.isEmpty else { return [] }
            return [publish(.node(.ndata, configuration.node), .data(seq: takeSeq(), timestamp: now, metrics: changed))]
        case .deviceOnline(let id, let definitions, let now):
            let descriptor: DeviceDescriptor
            do {
                descriptor = try DeviceDescriptor(node: configuration.node, deviceID: id)
            } catch {
                return [.refused(topic: "\(configuration.node)/\(id)", error)]
            }
            let table = MetricTable(definitions) { alias(device: id, metric: $0) }
            if let index = devices.firstIndex(where: { $0.id == id }) {
                devices[index].metrics = table
                devices[index].online = true
            } else {
                devices.append(Device(id: id, descriptor: descriptor, metrics: table, online: true))
            }
            guard isOnline, let index = devices.firstIndex(where: { $0.id == id }) else { return [] }
            return [deviceBirth(index, now: now)]
        case .deviceValues(let id, let updates, let now):
            guard let index = devices.firstIndex(where: { $0.id == id }) else { return [] }
            let sending = isOnline && devices[index].online
            let changed = devices[index].metrics.update(updates, send: sending)
            guard sending, !changed.isEmpty else { return [] }
            return [publish(.device(.ddata, devices[index].descriptor), .data(seq: takeSeq(), timestamp: now, metrics: changed))]
        case .deviceOffline(let id, let now):
            guard let index = devices.firstIndex(where: { $0.id == id }), devices[index].online else { return [] }
            devices[index].online = false
            devices[index].metrics.forgetSent()
            guard isOnline else { return [] }
            return [publish(.device(.ddeath, devices[index].descriptor), .deviceDeath(seq: takeSeq(), timestamp: now))]
        case .shutdown(let now):
            switch phase {
            case .online(let bdSeq), .waitingForHost(let bdSeq):
                phase = .disconnected
                return [.publish(death(bdSeq: bdSeq, now: now)), .disconnect]
            case .connecting, .disconnected:
                phase = .disconnected
                return []
            }
        }
    }

    /// Devices online (whether or not the node is).
    public var onlineDeviceCount: Int { devices.count(where: \.online) }

    /// Whether the node is born and publishing.
    public var isOnline: Bool {
        if case .online = phase { true } else { false }
    }

    /// NCMD, every DCMD of the node, and the primary host's STATE.
    public var subscriptions: [String] {
        let node = configuration.node
        var filters = [SparkplugTopic.node(.ncmd, node).description,
                       "\(SparkplugTopic.namespace)/\(node.groupID)/\(SparkplugVerb.dcmd.rawValue)/\(node.edgeNodeID)/+"]
        if let host = configuration.primaryHostID { filters.append(SparkplugTopic.state(hostID: host).description) }
        return filters
    }

    private mutating func received(topic text: String, payload: [UInt8], now: UInt64) throws(SparkplugError) -> [Action] {
        let topic = try SparkplugTopic(parsing: text)
        switch topic {
        case .state(let hostID) where hostID == configuration.primaryHostID:
            return hostState(try HostState(decoding: payload), now: now)
        case .node(.ncmd, configuration.node):
            let command = try SparkplugPayload(decoding: payload, as: .ncmd) { name, alias in
                name == SparkplugPayload.rebirthMetricName ? .boolean : nodeMetrics.dataType(name: name, alias: alias)
            }
            var actions: [Action] = []
            if command.isRebirthRequest, case .online(let bdSeq) = phase {
                actions += births(bdSeq: bdSeq, now: now)
            }
            let writes = command.metrics.filter { $0.name != SparkplugPayload.rebirthMetricName }.map { metric in
                var metric = metric
                metric.name = nodeMetrics.name(name: metric.name, alias: metric.alias) ?? metric.name
                return metric
            }
            if !writes.isEmpty { actions.append(.nodeCommand(writes)) }
            return actions
        case .device(.dcmd, let device) where device.node == configuration.node:
            guard let index = devices.firstIndex(where: { $0.id == device.deviceID }) else {
                throw SparkplugError(.invalidValue, "DCMD for '\(device.deviceID)', which is not a device of \(configuration.node)")
            }
            let table = devices[index].metrics
            let command = try SparkplugPayload(decoding: payload, as: .dcmd) { table.dataType(name: $0, alias: $1) }
            let writes = command.metrics.map { metric in
                var metric = metric
                metric.name = table.name(name: metric.name, alias: metric.alias) ?? metric.name
                return metric
            }
            return [.deviceCommand(deviceID: device.deviceID, writes)]
        default:
            return []
        }
    }

    private mutating func hostState(_ state: HostState, now: UInt64) -> [Action] {
        if let last = lastHostStateTimestamp, state.timestamp < last { return [] }
        lastHostStateTimestamp = state.timestamp
        primaryHostOnline = state.online
        switch (phase, state.online) {
        case (.waitingForHost(let bdSeq), true):
            return births(bdSeq: bdSeq, now: now)
        case (.online(let bdSeq), false):
            phase = .disconnected
            return [.publish(death(bdSeq: bdSeq, now: now)), .disconnect]
        default:
            return []
        }
    }

    /// NBIRTH (seq 0) and a DBIRTH for every online device.
    private mutating func births(bdSeq: UInt8, now: UInt64) -> [Action] {
        phase = .online(bdSeq: bdSeq)
        nextSeq = 1
        var actions = [publish(.node(.nbirth, configuration.node), .nodeBirth(bdSeq: bdSeq, timestamp: now, metrics: nodeMetrics.birth()))]
        for index in devices.indices where devices[index].online {
            actions.append(deviceBirth(index, now: now))
        }
        return actions
    }

    private mutating func deviceBirth(_ index: Int, now: UInt64) -> Action {
        let metrics = devices[index].metrics.birth()
        return publish(.device(.dbirth, devices[index].descriptor), .deviceBirth(seq: takeSeq(), timestamp: now, metrics: metrics))
    }

    private mutating func takeSeq() -> UInt8 {
        defer { nextSeq &+= 1 }
        return nextSeq
    }

    private mutating func alias(device: String, metric: String) -> UInt64 {
        let key = AliasKey(device: device, metric: metric)
        if let alias = aliases[key] { return alias }
        defer { nextAlias += 1 }
        aliases[key] = nextAlias
        return nextAlias
    }

    private func publish(_ topic: SparkplugTopic, _ payload: SparkplugPayload) -> Action {
        .publish(SparkplugPublication(topic: topic, payload: payload.encoded()))
    }

    private func death(bdSeq: UInt8, now: UInt64) -> SparkplugPublication {
        SparkplugPublication(topic: .node(.ndeath, configuration.node), payload: SparkplugPayload.nodeDeath(bdSeq: bdSeq, timestamp: now).encoded(), qos: 1)
    }
}
