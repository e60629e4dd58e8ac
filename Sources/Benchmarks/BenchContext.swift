import Foundation
import Logging
import Rules
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import TwinService
import TwinHubProtocol
import TwinStorageSQLite

/// What every benchmark needs: the kinds and the scale scenario the fleet comes from, a folder for files, the
/// `twinhub` executable (for the parts that must run as processes of their own), progress output and a logger.
public struct BenchContext: Sendable {
    public var kinds: [String: MachineKind]
    /// `scale_10k`: the fleet the streams and connections come from.
    public var fleet: Scenario
    public var folder: URL
    public var twinhub: String
    public var logger: Logger
    /// A line of progress for the terminal (what runs now).
    public var progress: @Sendable (String) -> Void
    /// The topic root every benchmark uses.
    public let topics = try! TopicMap(root: "bench")

    public init(kinds: [String: MachineKind], fleet: Scenario, folder: URL, twinhub: String, logger: Logger,
                progress: @escaping @Sendable (String) -> Void) {
        self.kinds = kinds
        self.fleet = fleet
        self.folder = folder
        self.twinhub = twinhub
        self.logger = logger
        self.progress = progress
    }

    /// A private broker whose queues do not limit the run (`max_queued_messages 0`: a session may queue a whole stream).
    func startBroker() async throws -> MosquittoBroker {
        var configuration = MosquittoBroker.Configuration()
        configuration.parentDirectory = folder
        configuration.stopsWithThisProcess = true
        configuration.extraConfiguration = ["max_queued_messages 0", "max_queued_bytes 0", "sys_interval 1"]
        return try await MosquittoBroker.start(configuration)
    }

    /// A twin service as `twinhub serve` runs it: every rule of the kinds, SQLite storage in `folder`; shedding load
    /// as `serve` does unless `shedding` is false (a benchmark of how much it takes must not shed).
    func twinService(_ broker: MosquittoBroker, clientID: String, persistentSession: Bool, database: String,
                     snapshotInterval: Duration = .seconds(1), shedding: Bool = true) throws -> TwinService {
        var connection = try ClientConfiguration(url: broker.url, clientID: clientID)
        if persistentSession { connection.session = .persistent(expiry: .seconds(3600)) }
        var options = TwinService.Options(connection: connection, topics: topics, kinds: kinds.mapValues(\.interface))
        options.rules = RuleBook(kinds: kinds, overrides: [])
        options.storage = try SQLiteTwinStorage(path: folder.appendingPathComponent(database).path)
        options.snapshotInterval = snapshotInterval
        if !shedding { options.sheddingDepth = nil }
        return TwinService(options: options, logger: logger)
    }

    /// The event loop (thread) of the benchmarks' own clients, apart from the one the in-process twin service uses:
    /// as if the load came from another process, as it does in production.
    static let peerLoop = MQTTEventLoop(name: "bench-peers")

    /// A client of the benchmark itself (publisher, observer, probe) connected to `broker`, on ``peerLoop``.
    func connectedClient(_ broker: MosquittoBroker, clientID: String? = nil) async throws -> MQTTClient {
        var configuration = try ClientConfiguration(url: broker.url, clientID: clientID)
        configuration.outgoingQueue.capacity = 1_000_000
        let client = try MQTTClient(configuration, eventLoop: Self.peerLoop, logger: logger)
        try await client.connect()
        return client
    }

    /// Publishes every message of `stream` at QoS 1 and returns when the broker has them all: queued without a
    /// waiter each (the client keeps at most its in-flight maximum unacknowledged), then one awaited publish on a
    /// topic no one reads, whose acknowledgement comes after the others' (the broker answers in order).
    func publishAcknowledged(_ stream: TelemetryStream, with client: MQTTClient) async throws {
        for message in stream.messages {
            try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce, retain: false))
        }
        try await client.publish(to: "\(topics.root)/_bench/sync", payload: [], qos: .atLeastOnce)
        guard client.statistics.publishDropped == 0 else { throw BenchError("the publisher dropped \(client.statistics.publishDropped) messages") }
    }
}

/// Runs `service` until it is subscribed; the returned task serves until cancelled.
func started(_ service: TwinService) async throws -> Task<Void, any Error> {
    let (ready, signal) = AsyncStream.makeStream(of: Void.self)
    let task = Task {
        defer { signal.finish() }
        try await service.run { signal.yield() }
    }
    for await _ in ready { return task }
    try await task.value
    throw BenchError("the twin service stopped before it was ready")
}

/// A benchmark that cannot go on, with the reason.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Array where Element == Double {
    /// The middle value (the lower of the two middle ones for an even count).
    var median: Double { isEmpty ? 0 : sorted()[(count - 1) / 2] }
}
