import Foundation
import SparkplugB
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinServiceCore

/// The Sparkplug host's state behind its lock (a class, so that the service can hold one or none).
final class SparkplugHost: Sendable {
    private let ingest: Mutex<SparkplugIngest>

    init(_ ingest: SparkplugIngest) {
        self.ingest = Mutex(ingest)
    }

    func withLock<Result>(_ body: (inout SparkplugIngest) -> Result) -> Result {
        ingest.withLock { body(&$0) }
    }
}

/// The Sparkplug B primary host of the service, when it is one: its STATE as the connection's will and announcement,
/// `spBv1.0/#` read on a task of its own into ``SparkplugIngest``, the twins' messages it makes handed to the core like
/// JSON ones, and desired states sent to Sparkplug machines as DCMD.
extension TwinService {
    /// `connection` with the host's STATE: offline as the will of every connect, online after it.
    func sparkplugConnection(_ connection: ClientConfiguration) -> ClientConfiguration {
        guard sparkplug != nil else { return connection }
        var connection = connection
        connection.willAtEachAttempt = { [self] in
            guard let will = sparkplug?.withLock({ $0.will(now: Date()) }) else { return nil }
            return ClientConfiguration.Will(topic: will.topic.description, payload: will.payload, qos: .atLeastOnce, retain: will.retain)
        }
        let announcement = connection.announcement
        connection.announcement = { [self] in
            let state = sparkplug?.withLock { $0.connected(now: Date()) } ?? []
            return (announcement?() ?? []) + state.compactMap(Self.request)
        }
        return connection
    }

    /// The subscription to every Sparkplug message, when the service is a host.
    func subscribeSparkplug(_ client: MQTTClient) async throws -> MQTTSubscription? {
        guard sparkplug != nil else { return nil }
        let messages = try await client.subscribe(to: [SparkplugTopic.allMessagesFilter], qos: .atLeastOnce,
                                                  bufferCapacity: options.bufferCapacity, whenFull: .pauseReading)
        messages.keepAtBrokerWhenEnded()
        return messages
    }

    func sparkplugReceived(_ message: MQTTMessage, _ actions: inout [TwinServiceCore.Action], _ outlet: Outlet) {
        sparkplugStep(&actions, outlet) { $0.received(topic: message.topic, payload: message.payload, at: Date()) }
    }

    func sparkplugTick(_ actions: inout [TwinServiceCore.Action], _ outlet: Outlet) {
        sparkplugStep(&actions, outlet) { $0.tick(now: Date()) }
    }

    /// One step of the host: its publications sent under its lock (so they keep their order), then its events handed to
    /// the core outside it.
    private func sparkplugStep(_ actions: inout [TwinServiceCore.Action], _ outlet: Outlet,
                               _ step: (inout SparkplugIngest) -> SparkplugIngest.Output) {
        guard let sparkplug else { return }
        let output = sparkplug.withLock { ingest in
            let output = step(&ingest)
            send(output.publications, client: outlet.client)
            return output
        }
        perform(output, &actions, outlet)
    }

    /// A clean stop: the STATE offline goes out before the disconnect.
    func sparkplugStopping(_ client: MQTTClient) {
        guard let sparkplug, client.state.isConnected else { return }
        sparkplug.withLock { send($0.disconnecting(now: Date()), client: client) }
    }

    /// Sends `request` as a DCMD when the machine is a Sparkplug device; `false` when it is not one (JSON's `cmd` then).
    func sendSparkplugCommand(_ request: MachineCommandRequest, to machine: PlantPath, client: MQTTClient) -> Bool {
        guard let sparkplug else { return false }
        return sparkplug.withLock { ingest in
            guard ingest.isSparkplug(machine) else { return false }
            if let command = ingest.command(request, to: machine, now: Date()) {
                send([command], client: client)
            } else {
                logger.warning("\(request.command.rawValue) for \(machine) has no Sparkplug metric; not sent")
            }
            return true
        }
    }

    private func perform(_ output: SparkplugIngest.Output, _ actions: inout [TwinServiceCore.Action], _ outlet: Outlet) {
        for line in output.logs { perform(.log(line), outlet) }
        for event in output.events { handle(event, &actions, outlet) }
    }

    private func send(_ publications: [SparkplugPublication], client: MQTTClient) {
        for request in publications.compactMap(Self.request) {
            do {
                try client.send(request)
            } catch {
                logger.warning("cannot publish on \(LogText.escaped(request.topic)): \(error)")
            }
        }
    }

    private static func request(_ publication: SparkplugPublication) -> PublishRequest? {
        try? PublishRequest(topic: publication.topic.description, payload: publication.payload,
                            qos: publication.qos == 1 ? .atLeastOnce : .atMostOnce, retain: publication.retain)
    }
}
