import Foundation
import Simulation
import Synchronization
import TwinHubMQTT
import TwinModel

/// One machine's MQTT side: its connection (replaced after a simulated network loss), its topics,
/// and the command subscription.
final class MachineLink: Sendable {
    let index: Int
    let instance: MachineInstance
    let topics: (telemetry: String, state: String, counters: String, status: String, cmd: String)
    private let current = Mutex<MQTTClient?>(nil)
    /// Whether the simulated network is up (a network or power loss takes it down).
    private let networkUp = Atomic<Bool>(true)

    init(index: Int, instance: MachineInstance, topics map: TopicMap) {
        self.index = index
        self.instance = instance
        topics = (map.topic(.telemetry, for: instance.path), map.topic(.state, for: instance.path),
                  map.topic(.counters, for: instance.path), map.topic(.status, for: instance.path), map.topic(.cmd, for: instance.path))
    }

    var client: MQTTClient? { current.withLock { $0 } }

    var isOnline: Bool { networkUp.load(ordering: .relaxed) && client?.state.isConnected == true }

    /// Connects with a last will of `offline` on the status topic, announces `online`, listens for commands.
    func connect(fleet: FleetSimulator) async throws {
        var configuration = fleet.options.connection
        configuration.clientID = "twinhub-sim/\(instance.path)"
        configuration.will = .init(topic: topics.status, payload: JSONPayloads.status(online: false, time: nil, reason: "connection lost"),
                                   qos: .atLeastOnce, retain: true)
        configuration.outgoingQueue = .init(capacity: fleet.options.queuePerMachine, whenFull: .dropOldest)
        let client = try MQTTClient(configuration, eventLoop: fleet.eventLoop, logger: fleet.logger)
        try await client.connect()
        current.withLock { $0 = client }
        let commands = try await client.subscribe(to: [topics.cmd], qos: .atLeastOnce, bufferCapacity: 64)
        let index = index
        Task {
            for await message in commands { fleet.received(command: message.payload, for: index) }
        }
        try client.send(try PublishRequest(topic: topics.status, payload: JSONPayloads.status(online: true, time: Date(), reason: "connected"),
                                           qos: .atLeastOnce, retain: true))
    }

    func publishInitialState(_ state: MachineState, at time: Date) {
        send(topics.state, JSONPayloads.state(StateChange(time: time, sequence: 0, state: state, previous: state, reason: "simulator started")),
             qos: .atLeastOnce, retain: true, counters: nil)
    }

    /// Publishes a step's events; a network change drops or restores the connection.
    func publish(_ events: [SimulationEvent], simulator: MachineSimulator, fleet: FleetSimulator) {
        for event in events {
            switch event {
            case .telemetry(let sample):
                send(topics.telemetry, JSONPayloads.telemetry(sample, machine: instance.id, kind: instance.kind.id), qos: .atMostOnce, retain: false, counters: fleet.counters)
            case .state(let change):
                send(topics.state, JSONPayloads.state(change), qos: .atLeastOnce, retain: true, counters: fleet.counters)
            case .counters(let counters):
                send(topics.counters, JSONPayloads.counters(counters), qos: .atLeastOnce, retain: true, counters: fleet.counters)
            case .network(let up, let reason):
                networkUp.store(up, ordering: .relaxed)
                if up {
                    Task { await self.reconnect(fleet: fleet) }
                } else {
                    let lost = current.withLock { client -> MQTTClient? in
                        defer { client = nil }
                        return client
                    }
                    fleet.logger.info("machine lost its network", metadata: ["machine": "\(instance.path)", "reason": "\(reason)"])
                    if let lost {
                        fleet.counters.lostClients.add(lost.statistics.publishDropped)
                        Task { await lost.abort() }
                    }
                }
            }
        }
    }

    private func send(_ topic: String, _ payload: [UInt8], qos: QoS, retain: Bool, counters: FleetCounters?) {
        guard networkUp.load(ordering: .relaxed), let client = client else {
            counters?.suppressed.add(1)
            return
        }
        do {
            try client.send(PublishRequest(topic: topic, payload: payload, qos: qos, retain: retain))
            counters?.published.add(1)
        } catch {
            counters?.suppressed.add(1)
        }
    }

    private func reconnect(fleet: FleetSimulator) async {
        var delay: Duration = .milliseconds(200)
        while networkUp.load(ordering: .relaxed), client == nil, !Task.isCancelled {
            do {
                try await connect(fleet: fleet)
                fleet.counters.reconnects.add(1)
                return
            } catch {
                fleet.logger.warning("machine could not reconnect", metadata: ["machine": "\(instance.path)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Announces `offline` (retained) and disconnects cleanly.
    func goOffline(reason: String) async {
        guard let client = current.withLock({ client -> MQTTClient? in
            defer { client = nil }
            return client
        }) else { return }
        if client.state.isConnected {
            try? await client.publish(to: topics.status, payload: JSONPayloads.status(online: false, time: Date(), reason: reason),
                                      qos: .atLeastOnce, retain: true)
        }
        await client.disconnect()
    }
}
