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
            + "`mosquitto_sub -C N`, then the twin service (every rule of the kinds on, SQLite storage, shedding off: every message is applied), each alone; timed from the "
            + "first publish to the consumer's last message; median of \(rounds) rounds. Lost = published − received."
            + " CPU per message: user and system time over each round (from the first publish to the consumer's last message), "
            + "from /proc for this process and the broker, from wait4 for mosquitto_sub; the service's is this process's CPU in its "
            + "rounds less this process's CPU in mosquitto_sub's rounds, where it only publishes (an estimate: the publisher's share "
            + "moves with the load). Of it: its MQTT thread's, from /proc/self/task (the thread names itself `twinhub-mqtt`); its "
            + "tasks', the rest of this process in its rounds (less the two MQTT threads, the service's and the publisher's), less "
            + "the same in mosquitto_sub's rounds. "
            + "\"With a core each\": the messages a second one core would carry through the service's costlier part (its tasks "
            + "taken as one thread, which overstates them: storing runs beside ingest) and through the broker's one thread, "
            + "1 / CPU per message: which would limit the rate if each had a core of its own, not a rate measured here."
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
                                                  database: "ingest-\(round).sqlite", shedding: false)
            let serving = try await started(service)
            let path = PlantPath(site: "warm", area: "up", line: "line", machine: "m")
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
        let count = messages * rounds
        let service = ServiceParts(loop: cpu.serviceRound.serviceLoop, tasks: cpu.serviceRound.tasks - cpu.subscriberRound.tasks, messages: count)
        let brokerCapacity = cpu.serviceRound.broker > 0 ? Double(count) / cpu.serviceRound.broker : nil
        return [
            BenchFigure(benchmark: Self.name, measure: "twin service ingest, all rules on (\(BenchNumber.grouped(Double(machines))) machines)",
                        value: "\(BenchNumber.grouped(serviceRate)) msg/s", peer: "mosquitto_sub \(BenchNumber.grouped(subscriberRate)) msg/s",
                        ratio: ratio, target: "ratio ≥ 0.95", met: ratio >= 0.95),
            BenchFigure(benchmark: Self.name, measure: "the publisher (QoS 1, 100 in flight)",
                        value: "\(BenchNumber.grouped(publisherRates.median)) msg/s"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the twin service (estimated: this process less the publisher's own round)",
                        value: cpu.micros(cpu.serviceRound.process - cpu.subscriberRound.process, count),
                        peer: "mosquitto_sub \(cpu.micros(cpu.subscriberRound.consumer, count))"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the twin service's MQTT thread (libmosquitto reading, acknowledging)",
                        value: cpu.micros(service.loop, count), peer: "mosquitto_sub (all of it) \(cpu.micros(cpu.subscriberRound.consumer, count))"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the twin service's tasks (decode, twins, rules, storage, "
                            + "snapshots; estimated: this process's other threads less theirs in mosquitto_sub's rounds)",
                        value: cpu.micros(service.tasks, count)),
            BenchFigure(benchmark: Self.name, measure: "with a core each (1 / CPU per message): the twin service's slower part (its MQTT thread, "
                            + "or its tasks as if one thread), against the broker's one thread",
                        value: service.slower.capacity.map { "\(BenchNumber.grouped($0)) msg/s (\(service.slower.name))" } ?? "n/a (no CPU counted)",
                        peer: "the broker " + (brokerCapacity.map { "\(BenchNumber.grouped($0)) msg/s" } ?? "n/a (no CPU counted)"),
                        ratio: service.slower.capacity.flatMap { service in brokerCapacity.map { service / $0 } }),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the broker, with the twin service",
                        value: cpu.micros(cpu.serviceRound.broker, count),
                        peer: "with mosquitto_sub \(cpu.micros(cpu.subscriberRound.broker, count))"),
            BenchFigure(benchmark: Self.name, measure: "CPU per message, all rounds: the publisher",
                        value: cpu.micros(cpu.subscriberRound.process, count)),
            BenchFigure(benchmark: Self.name, measure: "messages lost at QoS 1 (of \(BenchNumber.grouped(Double(count))))",
                        value: "\(serviceLost)", peer: "mosquitto_sub \(subscriberLost)", target: "0", met: serviceLost == 0),
        ]
    }

    /// The twin service's CPU seconds in its rounds, in its two parts, and the one that would limit it with a core each.
    struct ServiceParts {
        /// Its MQTT thread: libmosquitto reading messages and acknowledging them, and handing them over.
        var loop: Double
        /// Its tasks (estimated), taken as one thread: decode, twins, rules, storage, snapshots, on the cooperative threads.
        var tasks: Double
        var messages: Int

        /// The part with the most CPU per message, and the messages a second one core would carry through it (`nil`
        /// when no CPU was counted).
        var slower: (name: String, capacity: Double?) {
            let (name, seconds) = loop >= tasks ? ("MQTT thread", loop) : ("tasks", tasks)
            return (name, seconds > 0 ? Double(messages) / seconds : nil)
        }
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

    /// CPU time spent in the rounds, summed: this process's (and of it, the twin service's MQTT thread and the
    /// publisher's), the broker's, and the consumer's when it is a process of its own.
    struct CPUAccount {
        struct Round {
            var process = 0.0, broker = 0.0, consumer = 0.0
            /// This process's event-loop threads: the twin service's, and the one of the benchmark's own clients.
            var serviceLoop = 0.0, peerLoop = 0.0

            /// This process less its two event-loop threads: the tasks (the twin service's, and the publisher's hand-over).
            var tasks: Double { process - serviceLoop - peerLoop }
        }

        /// CPU times at a round's start.
        struct Mark {
            let process: Double, broker: Double, serviceLoop: Double, peerLoop: Double

            init(broker: MosquittoBroker) {
                let threads = ThreadTimes.of()
                serviceLoop = threads[MQTTEventLoop.shared.threadName]
                peerLoop = threads[BenchContext.peerLoop.threadName]
                process = ProcessFigures.of()?.cpuSeconds ?? 0
                self.broker = broker.processID.flatMap { ProcessFigures.of($0)?.cpuSeconds } ?? 0
            }
        }

        var subscriberRound = Round(), serviceRound = Round()

        mutating func add(_ start: Mark, broker: MosquittoBroker, to round: WritableKeyPath<CPUAccount, Round>, consumer: Double = 0) {
            let end = Mark(broker: broker)
            self[keyPath: round].process += end.process - start.process
            self[keyPath: round].broker += end.broker - start.broker
            self[keyPath: round].serviceLoop += end.serviceLoop - start.serviceLoop
            self[keyPath: round].peerLoop += end.peerLoop - start.peerLoop
            self[keyPath: round].consumer += consumer
        }

        func micros(_ seconds: Double, _ messages: Int) -> String {
            String(format: "%.1f µs", seconds / Double(max(messages, 1)) * 1e6)
        }
    }
}
