import Foundation
import Simulation
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// One machine's MQTT side: its connection (replaced after a simulated network loss), its topics,
/// and the command subscription. Its fleet drives it; it reports what happens to it through its ``Environment``.
final class MachineLink: Sendable {
    let index: Int
    let instance: MachineInstance
    let environment: Environment
    let topics: (telemetry: String, state: String, counters: String, status: String, cmd: String)
    let telemetry: TelemetryEncoder
    private let current = Mutex<MQTTClient?>(nil)
    /// Whether the simulated network is up (a network or power loss takes it down).
    private let networkUp = Atomic<Bool>(true)
    /// Set while a reconnection is under way, so there is only ever one.
    private let reconnecting = Atomic<Bool>(false)
    /// Set once the fleet shuts down: nothing may connect any more.
    private let stopped = Atomic<Bool>(false)
    /// Set while `reconnect` connects: the announcement counts the reconnect, so it is counted before anyone can
    /// see the machine back online.
    private let countingReconnect = Atomic<Bool>(false)
    /// The latest state and counters payloads, published again (retained) after every connect.
    private let latest = Mutex<(state: [UInt8]?, counters: [UInt8]?)>((nil, nil))

    init(index: Int, instance: MachineInstance, topics map: TopicMap, environment: Environment) {
        self.index = index
        self.instance = instance
        self.environment = environment
        topics = (map.topic(.telemetry, for: instance.path), map.topic(.state, for: instance.path),
                  map.topic(.counters, for: instance.path), map.topic(.status, for: instance.path), map.topic(.cmd, for: instance.path))
        telemetry = TelemetryEncoder(for: instance)
    }

    var client: MQTTClient? { current.withLock { $0 } }

    /// The client while the simulated network is up and the client connected.
    private var connectedClient: MQTTClient? {
        guard networkUp.load(ordering: .relaxed), let client, client.state.isConnected else { return nil }
        return client
    }

    var isOnline: Bool { connectedClient != nil }

    /// Messages queued on a connected client, not yet taken by its connection; 0 while it is not connected.
    var backlog: Int { connectedClient?.queuedCount ?? 0 }

    /// Connects with a last will of `offline` on the status topic, announces `online`, listens for commands.
    func connect() async throws {
        var configuration = environment.connection
        configuration.clientID = "\(environment.clientIDPrefix)/\(instance.path)"
        configuration.will = .init(topic: topics.status, payload: JSONCodec.status(online: false, time: nil, reason: "connection lost"),
                                   qos: .atLeastOnce, retain: true)
        configuration.outgoingQueue = .init(capacity: environment.queuePerMachine, whenFull: .dropOldest)
        // Every connection of this client after its first is a reconnect (the broker restarted, the connection
        // dropped), and so is the first of a client made after a simulated network loss.
        let connections = ConnectionCount()
        configuration.announcement = { [self] in
            let again = connections.count.add(1, ordering: .relaxed).oldValue > 0
            if countingReconnect.exchange(false, ordering: .relaxed) || again { environment.counters.reconnects.add(1) }
            return announcement()
        }
        configuration.publishRejected = { [topics, environment] topic, reason in
            let channel = topic == topics.state ? "state" : topic == topics.counters ? "counters" : topic == topics.status ? "status" : "other"
            if environment.counters.noteRefused(channel) {
                environment.logger.error("""
                    the broker refuses this fleet's \(channel) publishes (\(reason)): check its ACL for \(LogText.escaped(topic)) and the like; \
                    refusals are counted in the status line and the summary
                    """)
            }
        }
        let client = try MQTTClient(configuration, eventLoop: environment.eventLoop, logger: environment.logger)
        // A burst of commands pauses reading rather than drop any (QoS 1: the broker holds the rest); the fleet's inbox
        // bounds and counts what waits for its next pass.
        let commands = try await client.subscribe(to: [topics.cmd], qos: .atLeastOnce, bufferCapacity: 64, whenFull: .pauseReading)
        try await client.connect()
        guard !stopped.load(ordering: .relaxed) else {
            // The fleet shut down while this connection was being made: leave as the others did.
            await leave(client, reason: "simulator stopped")
            return
        }
        current.withLock { $0 = client }
        Task { [self] in
            for await message in commands { received(command: message.payload) }
        }
    }

    /// Posts a command from the `cmd` topic for the fleet's next pass; counts and logs it when too many are waiting.
    private func received(command bytes: [UInt8]) {
        if !environment.commands.post(.payload(bytes), for: index) {
            environment.counters.commandsDropped.add(1)
            environment.logger.warning("command dropped: more than \(CommandInbox.capacity) waiting", metadata: ["machine": "\(instance.path)"])
        }
    }

    /// What a machine says after every connect: online, and its latest state and counters (retained),
    /// which may have changed while it was away.
    private func announcement() -> [PublishRequest] {
        let (state, counters) = latest.withLock { $0 }
        var requests = [try? PublishRequest(topic: topics.status, payload: JSONCodec.status(online: true, time: Date(), reason: "connected"),
                                            qos: .atLeastOnce, retain: true)]
        if let state {
            requests.append(try? PublishRequest(topic: topics.state, payload: state, qos: .atLeastOnce, retain: true))
            environment.counters.statesSent.add(1, ordering: .relaxed)
        }
        if let counters { requests.append(try? PublishRequest(topic: topics.counters, payload: counters, qos: .atLeastOnce, retain: true)) }
        return requests.compactMap { $0 }
    }

    func publishInitialState(_ state: MachineState, at time: Date) {
        let payload = JSONCodec.state(StateChange(time: time, sequence: 0, state: state, previous: state, reason: "simulator started"))
        latest.withLock { $0.state = payload }
        guard let request = try? PublishRequest(topic: topics.state, payload: payload, qos: .atLeastOnce, retain: true) else { return }
        environment.counters.statesSent.add(1, ordering: .relaxed)
        send([request], counters: nil)
    }

    /// Publishes a step's events, handed to the connection together; a network change drops or restores the connection.
    func publish(_ events: [SimulationEvent]) {
        var batch: [PublishRequest] = []
        batch.reserveCapacity(events.count)
        func add(_ topic: String, _ payload: [UInt8], qos: QoS, retain: Bool) {
            do {
                batch.append(try PublishRequest(topic: topic, payload: payload, qos: qos, retain: retain))
            } catch {
                environment.counters.suppressed.add(1)
            }
        }
        for event in events {
            switch event {
            case .telemetry(let sample):
                add(topics.telemetry, telemetry.encode(sample), qos: .atMostOnce, retain: false)
            case .state(let change):
                let payload = JSONCodec.state(change)
                latest.withLock { $0.state = payload }
                environment.counters.statesSent.add(1, ordering: .relaxed)
                add(topics.state, payload, qos: .atLeastOnce, retain: true)
            case .counters(let counters):
                let payload = JSONCodec.counters(counters)
                latest.withLock { $0.counters = payload }
                add(topics.counters, payload, qos: .atLeastOnce, retain: true)
            case .network(let up, let reason):
                // What came before the change leaves (or is suppressed) before it.
                send(batch, counters: environment.counters)
                batch.removeAll(keepingCapacity: true)
                networkUp.store(up, ordering: .relaxed)
                if up {
                    Task { await self.reconnect() }
                } else {
                    let lost = current.withLock { client -> MQTTClient? in
                        defer { client = nil }
                        return client
                    }
                    environment.logger.info("machine lost its network", metadata: ["machine": "\(instance.path)", "reason": "\(reason)"])
                    if let lost {
                        let counters = environment.counters
                        Task {
                            await lost.abort()
                            counters.lostClients.add(lost.statistics.dropped)
                            counters.lostTakeovers.add(lost.statistics.takeovers)
                        }
                    }
                }
            }
        }
        send(batch, counters: environment.counters)
    }

    private func send(_ requests: [PublishRequest], counters: FleetCounters?) {
        guard !requests.isEmpty else { return }
        guard networkUp.load(ordering: .relaxed), let client = client else {
            counters?.suppressed.add(requests.count)
            return
        }
        do {
            try client.send(contentsOf: requests)
            counters?.published.add(requests.count)
        } catch {
            counters?.suppressed.add(requests.count)
        }
    }

    private func reconnect() async {
        guard reconnecting.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        defer { reconnecting.store(false, ordering: .relaxed) }
        var delay: Duration = .milliseconds(200)
        while networkUp.load(ordering: .relaxed), client == nil, !stopped.load(ordering: .relaxed), !Task.isCancelled {
            do {
                countingReconnect.store(true, ordering: .relaxed)
                try await connect()
                return
            } catch {
                countingReconnect.store(false, ordering: .relaxed)
                environment.logger.warning("machine could not reconnect", metadata: ["machine": "\(instance.path)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Announces `offline` (retained) and disconnects cleanly; counts what its queues dropped.
    func goOffline(reason: String) async {
        stopped.store(true, ordering: .relaxed)
        guard let client = current.withLock({ client -> MQTTClient? in
            defer { client = nil }
            return client
        }) else { return }
        await leave(client, reason: reason)
        environment.counters.lostClients.add(client.statistics.dropped)
        environment.counters.lostTakeovers.add(client.statistics.takeovers)
    }

    /// Queues the retained `offline` status and disconnects. Not `publish`, which waits for the broker's
    /// acknowledgement without a limit: when the broker has just gone (the connection still looks up, then drops),
    /// the client keeps the message for a reconnect that never succeeds, and the fleet would never stop.
    /// `disconnect` sends what is queued and waits for its acknowledgement within its timeout, and returns at
    /// once on a connection that is down.
    private func leave(_ client: MQTTClient, reason: String) async {
        if client.state.isConnected, let offline = try? PublishRequest(
            topic: topics.status, payload: JSONCodec.status(online: false, time: Date(), reason: reason), qos: .atLeastOnce, retain: true) {
            try? client.send(offline)
        }
        await client.disconnect()
    }
}

/// How many times one client connected.
private final class ConnectionCount: Sendable {
    let count = Atomic<Int>(0)
}
