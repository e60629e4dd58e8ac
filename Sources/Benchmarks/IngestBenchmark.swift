import Foundation
import TwinHubBroker
import TwinHubMQTT
import TwinModel

/// Ingest: how fast the twin service, with every rule on, takes in a stream of telemetry that the broker holds
/// queued for it, against how fast `mosquitto_sub` drains the same stream from the same broker.
///
/// Both have a persistent session (QoS 1) subscribed to every telemetry topic. With both disconnected, the stream
/// is published (QoS 1, every message acknowledged), so the broker holds one copy per session. Then each connects
/// alone and drains its copy, timed from the start of its connection to its last message: `mosquitto_sub -C N`
/// until it exits, the twin service until its store counted N messages. The ratio is service / mosquitto_sub.
public struct IngestBenchmark: Sendable {
    public var machines: Int
    public var messages: Int
    public var rounds: Int

    public init(machines: Int, messages: Int, rounds: Int) {
        self.machines = machines
        self.messages = messages
        self.rounds = rounds
    }

    public static let name = "ingest"

    public var method: String {
        "\(BenchNumber.grouped(Double(messages))) telemetry messages from \(BenchNumber.grouped(Double(machines))) machines of `scale_10k` "
            + "(generated ahead by the simulator's engine) are queued by the broker for two persistent QoS 1 sessions: `mosquitto_sub` "
            + "and the twin service (every rule of the kinds on, SQLite storage). Each then connects alone and drains its copy, timed "
            + "from connecting to its last message; median of \(rounds) rounds. Lost = published − received."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let subscriber = try BrokerExecutables.locate("mosquitto_sub").path
        let filter = context.topics.filter(.telemetry)
        let subscriberArguments = ["-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-i", "bench-ingest-sub", "-c", "-x", "3600",
                                   "-q", "1", "-t", filter]
        context.progress("ingest: generating \(messages) messages from \(machines) machines")
        let stream = TelemetryStream(scenario: context.fleet, machines: machines, count: messages, topics: context.topics)

        // The sessions exist before the stream is published: mosquitto_sub -E exits once subscribed.
        let created = try ChildProcess.spawn(subscriber, subscriberArguments + ["-E"])
        guard await created.waitForExit() == .exited(0) else { throw BenchError("mosquitto_sub could not create its session") }
        let publisher = try await context.connectedClient(broker)
        let firstService = try context.twinService(broker, clientID: "bench-ingest-service", persistentSession: true, database: "ingest.sqlite")
        let first = try await started(firstService)
        // Connected is not yet subscribed: one message on a topic only the service reads shows its subscriptions work.
        let path = EquipmentPath(enterprise: "bench", site: "warm", area: "up", line: "line", machine: "m")
        try await publisher.publish(to: context.topics.topic(.state, for: path), string: #"{"seq":1,"state":"idle"}"#, qos: .atLeastOnce)
        guard try await Self.waitForCount(1, { firstService.statistics.messagesIn }).0 == 1 else {
            throw BenchError("the twin service does not receive what it subscribed to")
        }
        first.cancel()
        _ = try? await first.value

        var subscriberRates: [Double] = [], serviceRates: [Double] = []
        var subscriberLost = 0, serviceLost = 0
        for round in 1...rounds {
            context.progress("ingest: round \(round)/\(rounds): publishing")
            try await context.publishAcknowledged(stream, with: publisher)

            context.progress("ingest: round \(round)/\(rounds): mosquitto_sub drains")
            let output = context.folder.appendingPathComponent("ingest-sub-\(round).txt").path
            let subscriberStart = ContinuousClock.now
            let drain = try ChildProcess.spawn(subscriber, subscriberArguments + ["-C", String(messages), "-W", "120"], output: output)
            _ = await drain.waitForExit()
            let subscriberTime = (ContinuousClock.now - subscriberStart).secondsValue
            let received = Self.lineCount(output)
            subscriberLost += messages - received
            subscriberRates.append(Double(received) / subscriberTime)

            context.progress("ingest: round \(round)/\(rounds): the twin service drains")
            let service = try context.twinService(broker, clientID: "bench-ingest-service", persistentSession: true, database: "ingest.sqlite")
            let before = service.statistics.messagesIn
            let serviceStart = ContinuousClock.now
            let serving = try await started(service)
            let (ingested, serviceEnd) = try await Self.waitForCount(messages) { service.statistics.messagesIn - before }
            serving.cancel()
            _ = try? await serving.value
            serviceLost += messages - ingested
            serviceRates.append(Double(ingested) / (serviceEnd - serviceStart).secondsValue)
        }
        await publisher.disconnect()

        let subscriberRate = subscriberRates.median, serviceRate = serviceRates.median
        let ratio = serviceRate / subscriberRate
        return [
            BenchFigure(benchmark: Self.name, measure: "twin service drain, all rules on (\(BenchNumber.grouped(Double(machines))) machines)",
                        value: "\(BenchNumber.grouped(serviceRate)) msg/s", peer: "mosquitto_sub \(BenchNumber.grouped(subscriberRate)) msg/s",
                        ratio: ratio, target: "ratio ≥ 0.95", met: ratio >= 0.95),
            BenchFigure(benchmark: Self.name, measure: "messages lost at QoS 1 (of \(BenchNumber.grouped(Double(messages * rounds))))",
                        value: "\(serviceLost)", peer: "mosquitto_sub \(subscriberLost)", target: "0", met: serviceLost == 0),
        ]
    }

    /// Waits until `count()` reaches `target`, or stops growing for 5 s; returns the count and when it last grew.
    /// Polled every millisecond: the figure's resolution.
    static func waitForCount(_ target: Int, _ count: () -> Int) async throws -> (Int, ContinuousClock.Instant) {
        var last = count(), lastGrowth = ContinuousClock.now
        while last < target {
            try await Task.sleep(for: .milliseconds(1))
            let now = count()
            if now > last {
                last = now
                lastGrowth = .now
            } else if ContinuousClock.now - lastGrowth > .seconds(5) {
                break
            }
        }
        return (last, lastGrowth)
    }

    static func lineCount(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
