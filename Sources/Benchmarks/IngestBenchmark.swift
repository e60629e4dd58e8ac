import Foundation
import TwinHubBroker
import TwinHubMQTT
import TwinModel

/// Ingest: how fast the twin service, with every rule on, takes in a stream of fleet telemetry, against how fast
/// `mosquitto_sub` takes in the same stream from the same broker.
///
/// Each consumer is measured alone, connected and subscribed (QoS 1) before the stream starts: one publisher sends
/// the stream at QoS 1 as fast as the broker acknowledges it (100 in flight), and the time runs from the first
/// publish to the consumer's last message: `mosquitto_sub -C N` until it exits, the twin service until its store
/// counted N messages. The ratio is service / mosquitto_sub; when it is near 1, the broker (or the publisher) is
/// the limit, not TwinHub.
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
            + "(generated ahead by the simulator's engine), published at QoS 1 (100 in flight, from its own MQTT thread) to a consumer subscribed at QoS 1: "
            + "`mosquitto_sub -C N`, then the twin service (every rule of the kinds on, SQLite storage), each alone; timed from the "
            + "first publish to the consumer's last message; median of \(rounds) rounds. Lost = published − received."
            + " CPU per message: user and system time over each round (from the first publish to the consumer's last message), "
            + "from /proc for this process and the broker, from wait4 for mosquitto_sub; the service's is this process's CPU in its "
            + "rounds less this process's CPU in mosquitto_sub's rounds, where it only publishes (an estimate: the publisher's share "
            + "moves with the load)."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let subscriber = try BrokerExecutables.locate("mosquitto_sub").path
        let filter = context.topics.filter(.telemetry)
        context.progress("ingest: generating \(messages) messages from \(machines) machines")
        let stream = TelemetryStream(scenario: context.fleet, machines: machines, count: messages, topics: context.topics)
        let warmUp = stream.messages[0]
        let publisher = try await context.connectedClient(broker)
        var subscriberRates: [Double] = [], serviceRates: [Double] = [], publisherRates: [Double] = []
        var subscriberLost = 0, serviceLost = 0
        // CPU seconds per round: this process (the publisher; in the service's round the service too), the broker, mosquitto_sub.
        var cpu = CPUAccount()
        for round in 1...rounds {
            // mosquitto_sub: subscribed once the first (warm-up) message shows in its output.
            let output = context.folder.appendingPathComponent("ingest-sub-\(round).txt").path
            let drain = try ChildProcess.spawn(subscriber, ["-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-q", "1", "-t", filter,
                                                            "-C", String(messages + 1), "-W", "300"], output: output)
            try await Self.warmUp({ try await publisher.publish(to: warmUp.topic, payload: warmUp.payload, qos: .atLeastOnce) },
                                  until: { Self.lineCount(output) >= 1 })
            let subscriberStart = ContinuousClock.now
            let subscriberRound = CPUAccount.Mark(broker: broker)
            try await context.publishAcknowledged(stream, with: publisher)
            publisherRates.append(Double(messages) / (ContinuousClock.now - subscriberStart).secondsValue)
            _ = await drain.waitForExit()
            // Timed before its output is counted: counting 200,000 lines is no part of taking them in.
            let subscriberEnd = ContinuousClock.now
            cpu.add(subscriberRound, broker: broker, to: \.subscriberRound, consumer: drain.cpuSeconds ?? 0)
            let received = Self.lineCount(output) - 1
            subscriberLost += messages - received
            subscriberRates.append(Double(received) / (subscriberEnd - subscriberStart).secondsValue)

            // The twin service: subscribed once it counted a warm-up message.
            let service = try context.twinService(broker, clientID: "bench-ingest-service-\(round)", persistentSession: false,
                                                  database: "ingest-\(round).sqlite")
            let serving = try await started(service)
            let path = EquipmentPath(enterprise: "bench", site: "warm", area: "up", line: "line", machine: "m")
            try await Self.warmUp({ try await publisher.publish(to: context.topics.topic(.state, for: path), string: #"{"seq":1,"state":"idle"}"#,
                                                                qos: .atLeastOnce) },
                                  until: { service.statistics.messagesIn >= 1 })
            let before = service.statistics.messagesIn
            let serviceStart = ContinuousClock.now
            let serviceRound = CPUAccount.Mark(broker: broker)
            try await context.publishAcknowledged(stream, with: publisher)
            let (ingested, serviceEnd) = try await Self.waitForCount(messages, within: .seconds(5)) { service.statistics.messagesIn - before }
            cpu.add(serviceRound, broker: broker, to: \.serviceRound)
            serving.cancel()
            _ = try? await serving.value
            serviceLost += messages - ingested
            serviceRates.append(Double(ingested) / (serviceEnd - serviceStart).secondsValue)
            context.progress("ingest: round \(round)/\(rounds): mosquitto_sub \(received) at \(BenchNumber.grouped(subscriberRates.last!)) msg/s, "
                + "the twin service \(ingested) at \(BenchNumber.grouped(serviceRates.last!)) msg/s")
        }
        await publisher.disconnect()

        let subscriberRate = subscriberRates.median, serviceRate = serviceRates.median
        let ratio = serviceRate / subscriberRate
        return [
            BenchFigure(benchmark: Self.name, measure: "twin service ingest, all rules on (\(BenchNumber.grouped(Double(machines))) machines)",
                        value: "\(BenchNumber.grouped(serviceRate)) msg/s", peer: "mosquitto_sub \(BenchNumber.grouped(subscriberRate)) msg/s",
                        ratio: ratio, target: "ratio ≥ 0.95", met: ratio >= 0.95),
            BenchFigure(benchmark: Self.name, measure: "the publisher (QoS 1, 100 in flight)",
                        value: "\(BenchNumber.grouped(publisherRates.median)) msg/s"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the twin service (estimated: this process less the publisher's own round)",
                        value: cpu.micros(cpu.serviceRound.process - cpu.subscriberRound.process, messages * rounds),
                        peer: "mosquitto_sub \(cpu.micros(cpu.subscriberRound.consumer, messages * rounds))"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the broker, with the twin service",
                        value: cpu.micros(cpu.serviceRound.broker, messages * rounds),
                        peer: "with mosquitto_sub \(cpu.micros(cpu.subscriberRound.broker, messages * rounds))"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the publisher",
                        value: cpu.micros(cpu.subscriberRound.process, messages * rounds)),
            BenchFigure(benchmark: Self.name, measure: "messages lost at QoS 1 (of \(BenchNumber.grouped(Double(messages * rounds))))",
                        value: "\(serviceLost)", peer: "mosquitto_sub \(subscriberLost)", target: "0", met: serviceLost == 0),
        ]
    }

    /// Publishes a warm-up message and waits for `arrived`; again every half second (a subscription still being
    /// set up) for at most 10 s. Being subscribed has no other sign a consumer gives.
    static func warmUp(_ publish: () async throws -> Void, until arrived: () -> Bool) async throws {
        for _ in 0..<20 {
            try await publish()
            let deadline = ContinuousClock.now + .milliseconds(500)
            while ContinuousClock.now < deadline {
                if arrived() { return }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        throw BenchError("a consumer did not receive what it subscribed to within 10 s")
    }

    /// Waits until `count()` reaches `target`, or stops growing for `limit`; returns the count and when it last grew.
    /// Polled every millisecond: the figure's resolution.
    static func waitForCount(_ target: Int, within limit: Duration, _ count: () -> Int) async throws -> (Int, ContinuousClock.Instant) {
        var last = count(), lastGrowth = ContinuousClock.now
        while last < target {
            try await Task.sleep(for: .milliseconds(1))
            let now = count()
            if now > last {
                last = now
                lastGrowth = .now
            } else if ContinuousClock.now - lastGrowth > limit {
                break
            }
        }
        return (last, lastGrowth)
    }

    static func lineCount(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        // Over the raw bytes: `Data`'s own iterator takes about a second for the 80 MB of a round's output.
        return data.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
    }

    /// CPU time spent in the rounds, summed: this process's, the broker's, and the consumer's when it is a process of its own.
    struct CPUAccount {
        struct Round {
            var process = 0.0, broker = 0.0, consumer = 0.0
        }

        /// CPU times at a round's start.
        struct Mark {
            let process: Double, broker: Double

            init(broker: MosquittoBroker) {
                process = ProcessFigures.of()?.cpuSeconds ?? 0
                self.broker = broker.processID.flatMap { ProcessFigures.of($0)?.cpuSeconds } ?? 0
            }
        }

        var subscriberRound = Round(), serviceRound = Round()

        mutating func add(_ start: Mark, broker: MosquittoBroker, to round: WritableKeyPath<CPUAccount, Round>, consumer: Double = 0) {
            let end = Mark(broker: broker)
            self[keyPath: round].process += end.process - start.process
            self[keyPath: round].broker += end.broker - start.broker
            self[keyPath: round].consumer += consumer
        }

        func micros(_ seconds: Double, _ messages: Int) -> String {
            String(format: "%.1f µs", seconds / Double(max(messages, 1)) * 1e6)
        }
    }
}
