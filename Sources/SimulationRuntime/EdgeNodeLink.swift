import Foundation
import Simulation
import SparkplugB
import Synchronization
import TwinHubMQTT
import TwinModel

/// One Sparkplug B edge node of a fleet: a line's machines (or a single machine) as its devices, on one MQTT connection
/// with the NDEATH as its will. The protocol's decisions are ``EdgeNodeSession``'s (bdSeq, seq, births, report by
/// exception, rebirths, the primary host); this performs them. Machines' events come in from the fleet's run loop,
/// DCMD writes go out to the fleet's command inbox as machine commands.
///
/// Every publication is handed to the client while the session's lock is held, so messages leave in the order of their
/// `seq`, births after a reconnect included (they go out first, from the client's announcement).
final class EdgeNodeLink: Sendable {
    let node: EdgeNodeDescriptor
    /// The fleet indices of its machines, and each one's device id and interface, in the same order.
    let machines: [Int]
    private let deviceIDs: [String]
    private let kinds: [MachineInterface]
    private let positions: [Int: Int]
    let environment: MachineLink.Environment
    private let primaryHostID: String?
    /// Whether this link counts the states it sends (not when the machines' JSON links count them).
    private let countsStates: Bool
    private let state: Mutex<State>
    private let current = Mutex<MQTTClient?>(nil)
    private let stopped = Atomic<Bool>(false)

    private struct State: Sendable {
        var session: EdgeNodeSession
        /// What each device last reported, for its next DBIRTH.
        var latest: [(state: StateChange?, counters: ProductionCounters?, sample: TelemetrySample?)]
        /// The simulated time of the latest event, for births (ms since the epoch).
        var now: UInt64
        var refusals = RefusalLog()
    }

    /// - Throws: ``SparkplugError`` when a machine's path cannot be a device of `node`.
    init(node: EdgeNodeDescriptor, machines: [(index: Int, instance: MachineInstance)], primaryHostID: String?, start: Date,
         countsStates: Bool, environment: MachineLink.Environment) throws(SparkplugError) {
        self.countsStates = countsStates
        self.node = node
        self.machines = machines.map(\.index)
        deviceIDs = machines.map { $0.instance.path.name }
        kinds = machines.map(\.instance.kind.interface)
        positions = Dictionary(uniqueKeysWithValues: machines.enumerated().map { ($1.index, $0) })
        self.environment = environment
        self.primaryHostID = primaryHostID
        for id in deviceIDs { _ = try DeviceDescriptor(node: node, deviceID: id) }
        let session = EdgeNodeSession(configuration: .init(node: node, primaryHostID: primaryHostID))
        state = Mutex(State(session: session, latest: Array(repeating: (nil, nil, nil), count: machines.count),
                            now: MachineDevice.timestamp(start)))
    }

    var client: MQTTClient? { current.withLock { $0 } }

    /// Machines of this node online: those born while the node's connection is up.
    var onlineDevices: Int {
        guard let client, client.state.isConnected else { return 0 }
        return state.withLock { $0.session.isOnline ? $0.session.onlineDeviceCount : 0 }
    }

    /// Messages queued on the client per machine, for the fleet's pacing; 0 while it is not connected.
    var backlogPerMachine: Int {
        guard let client, client.state.isConnected else { return 0 }
        return client.queuedCount / max(1, machines.count)
    }

    /// Registers a machine with the state it starts in: its DBIRTH goes out with the node's first birth.
    func register(machine index: Int, initial: StateChange) {
        guard let position = positions[index] else { return }
        state.withLock { state in
            state.latest[position].state = initial
            _ = state.session.handle(.deviceOnline(deviceID: deviceIDs[position], metrics: birth(position, state), now: state.now))
        }
    }

    /// Connects with the NDEATH will of a new bdSeq, listens for NCMD, DCMD (and the primary host's STATE); the births
    /// go out as the connection's announcement, after every connect.
    func connect() async throws {
        var configuration = environment.connection
        configuration.clientID = "\(environment.clientIDPrefix)/spBv1.0/\(node.groupID)/\(node.edgeNodeID)"
        configuration.outgoingQueue = .init(capacity: environment.queuePerMachine * max(1, machines.count), whenFull: .dropOldest)
        // What was queued for a lost connection carries that session's seq: after the new births it would be a gap.
        configuration.outgoingQueue.discardedOnConnect = true
        let connections = Atomic<Int>(0)
        configuration.willAtEachAttempt = { [self] in
            state.withLock { state in
                for case .connect(let will) in state.session.handle(.connecting(now: state.now)) {
                    return ClientConfiguration.Will(topic: will.topic.description, payload: will.payload, qos: .atLeastOnce, retain: false)
                }
                return nil
            }
        }
        configuration.announcement = { [self] in
            if connections.add(1, ordering: .relaxed).oldValue > 0 { environment.counters.reconnects.add(1) }
            return state.withLock { state in requests(state.session.handle(.connected(now: state.now))) }
        }
        let client = try MQTTClient(configuration, eventLoop: environment.eventLoop, logger: environment.logger)
        let session = state.withLock { $0.session }
        let messages = try await client.subscribe(to: session.subscriptions, qos: .atLeastOnce, bufferCapacity: 64, whenFull: .pauseReading)
        try await client.connect()
        // Under the lock that shutdown() sets `stopped` under: either shutdown finds this client, or this sees it stopped.
        let kept = current.withLock { current -> Bool in
            guard !stopped.load(ordering: .relaxed) else { return false }
            current = client
            return true
        }
        guard kept else {
            await client.disconnect()
            return
        }
        Task { [self] in
            for await message in messages { received(message, on: client) }
        }
    }

    /// A machine's events of one step, as DDATA (and DDEATH and DBIRTH for its network going down and up).
    func publish(_ events: [SimulationEvent], machine index: Int) {
        guard let position = positions[index] else { return }
        let client = self.client
        state.withLock { state in
            if let client, !client.state.isConnected, state.session.isOnline {
                // Lost: the session stops sending (values are kept for the births) until the next connect.
                _ = state.session.handle(.connectionLost(now: state.now))
            }
            var actions: [EdgeNodeSession.Action] = []
            let id = deviceIDs[position], kind = kinds[position]
            /// New values of the device, taken at `time`: the node's clock moves on to it.
            func values(_ updates: [SparkplugMetricUpdate], at time: Date) {
                let now = MachineDevice.timestamp(time)
                state.now = max(state.now, now)
                actions += state.session.handle(.deviceValues(deviceID: id, updates, now: now))
            }
            for event in events {
                switch event {
                case .telemetry(let sample):
                    state.latest[position].sample = sample
                    values(MachineDevice.updates(sample, kind: kind), at: sample.time)
                case .state(let change):
                    state.latest[position].state = change
                    if countsStates { environment.counters.statesSent.add(1, ordering: .relaxed) }
                    values(MachineDevice.updates(change), at: change.time)
                case .counters(let counters):
                    state.latest[position].counters = counters
                    values(MachineDevice.updates(counters), at: counters.time)
                case .network(let up, _):
                    if up {
                        actions += state.session.handle(.deviceOnline(deviceID: id, metrics: birth(position, state), now: state.now))
                    } else {
                        actions += state.session.handle(.deviceOffline(deviceID: id, now: state.now))
                    }
                }
            }
            send(requests(actions), on: client)
        }
    }

    /// Publishes the NDEATH and disconnects cleanly.
    func shutdown() async {
        guard let client = current.withLock({ client -> MQTTClient? in
            stopped.store(true, ordering: .relaxed)
            defer { client = nil }
            return client
        }) else { return }
        if client.state.isConnected {
            state.withLock { state in send(requests(state.session.handle(.shutdown(now: state.now))), on: client) }
        }
        await client.disconnect()
        environment.counters.lostClients.add(client.statistics.dropped)
        environment.counters.lostTakeovers.add(client.statistics.takeovers)
    }

    // MARK: Incoming

    private func received(_ message: MQTTMessage, on client: MQTTClient) {
        // Messages still buffered on a client this node has left belong to no session of it.
        guard self.client === client else { return }
        var disconnect = false
        state.withLock { state in
            let actions = state.session.handle(.received(topic: message.topic, payload: message.payload, now: state.now))
            for action in actions {
                switch action {
                case .deviceCommand(let id, let metrics):
                    guard let position = deviceIDs.firstIndex(of: id) else { continue }
                    do throws(SparkplugError) {
                        for request in try MachineDeviceCommands.requests(from: metrics)
                        where !environment.commands.post(.request(request), for: machines[position]) {
                            environment.counters.commandsDropped.add(1)
                        }
                    } catch {
                        refuse(error, topic: message.topic, &state)
                    }
                case .nodeCommand(let metrics):
                    let names = metrics.compactMap(\.name).joined(separator: ", ")
                    refuse(SparkplugError(.invalidValue, "the node has no writable metric (\(names))"), topic: message.topic, &state)
                case .refused(_, let error):
                    refuse(error, topic: message.topic, &state)
                case .disconnect:
                    disconnect = true
                case .connect, .subscribe, .publish:
                    break
                }
            }
            send(requests(actions), on: client)
        }
        if disconnect { Task { await reconnectAfterHostLeft(client) } }
    }

    private func refuse(_ error: SparkplugError, topic: String, _ state: inout State) {
        environment.counters.commandsRejected.add(1)
        if let count = state.refusals.note(error.code.rawValue) {
            environment.logger.warning("Sparkplug command refused (\(error.code.rawValue), #\(count))",
                                       metadata: ["topic": "\(LogText.escaped(topic))", "reason": "\(LogText.escaped(error.reason))"])
        }
    }

    /// The primary host went offline: the session published the NDEATH; leave, and connect again to wait for the host.
    private func reconnectAfterHostLeft(_ client: MQTTClient) async {
        let left = current.withLock { current -> Bool in
            guard current === client else { return false }
            current = nil
            return true
        }
        guard left else { return }
        environment.logger.info("primary host offline: edge node disconnected", metadata: ["node": "\(node)"])
        await client.disconnect()
        environment.counters.lostClients.add(client.statistics.dropped)
        var delay: Duration = .milliseconds(200)
        while !stopped.load(ordering: .relaxed), !Task.isCancelled {
            do {
                try await connect()
                return
            } catch {
                environment.logger.warning("edge node could not reconnect", metadata: ["node": "\(node)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    // MARK: Helpers

    private func birth(_ position: Int, _ state: State) -> [SparkplugMetricDefinition] {
        let latest = state.latest[position]
        return MachineDevice.birth(kind: kinds[position], state: latest.state, counters: latest.counters, sample: latest.sample)
    }

    private func requests(_ actions: [EdgeNodeSession.Action]) -> [PublishRequest] {
        actions.compactMap { action in
            guard case .publish(let publication) = action else { return nil }
            return try? PublishRequest(topic: publication.topic.description, payload: publication.payload,
                                       qos: publication.qos == 1 ? .atLeastOnce : .atMostOnce, retain: publication.retain)
        }
    }

    private func send(_ requests: [PublishRequest], on client: MQTTClient?) {
        guard !requests.isEmpty else { return }
        guard let client else {
            environment.counters.suppressed.add(requests.count)
            return
        }
        do {
            try client.send(contentsOf: requests)
            environment.counters.published.add(requests.count)
        } catch {
            environment.counters.suppressed.add(requests.count)
        }
    }
}
