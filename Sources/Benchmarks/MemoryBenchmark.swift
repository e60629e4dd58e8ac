import Foundation
import Synchronization
import TwinHubBroker
import TwinHubMQTT
import TwinModel

/// Memory: the twin service's resident memory with 1k, 10k and 100k twins, as `twinhub serve` runs it (every rule
/// of the kinds on, twins in memory only, `--history 60`).
///
/// Each size gets a fresh broker and a fresh `twinhub serve` process. Its idle memory is read once it serves; then
/// every twin gets its samples (QoS 1, in order per twin), and once the service's own metrics
/// (`{root}/_twinhub/metrics`, retained, every 5 s) count every twin and every message, its resident memory and peak
/// are read from `/proc`. Beyond the 10,000 machines of `scale_10k`, twins are copies of machines under new names.
public struct MemoryBenchmark: Sendable {
    /// One size: twins, and telemetry samples sent to each.
    public struct Size: Sendable {
        public var twins: Int
        public var samples: Int

        public init(twins: Int, samples: Int) {
            self.twins = twins
            self.samples = samples
        }
    }

    public var sizes: [Size]
    /// `--history`: samples kept per property.
    public var history: Int
    /// Machines of `scale_10k` whose telemetry the twins get (copied under new names up to the size).
    static let baseMachines = 1000
    /// The target at 100,000 twins.
    static let limit = 256 * 1_048_576

    public init(sizes: [Size], history: Int = 60) {
        self.sizes = sizes
        self.history = history
    }

    public static let name = "memory"

    public var method: String {
        let described = sizes.map { "\(BenchNumber.grouped(Double($0.twins))) twins × \($0.samples) samples" }.joined(separator: ", ")
        return "`twinhub serve --no-db --history \(history)` (every rule of the kinds on) as its own process, a fresh one and a fresh "
            + "broker per size (\(described)); telemetry of \(Self.baseMachines) machines of `scale_10k`, copied under new machine names "
            + "beyond them, published at QoS 1 in order per twin; RSS (VmRSS) and peak (VmHWM) from /proc once the service's metrics "
            + "count every twin and message. Idle: the same process serving before its first message."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        for size in sizes {
            let measured = try await measure(size, context: context)
            if figures.isEmpty {
                figures.append(BenchFigure(benchmark: Self.name, measure: "twin service idle: serving, no twins yet (--history \(history))",
                                           value: "\(BenchNumber.mebibytes(measured.idle.residentBytes)) MiB"))
            }
            let short = measured.ingested < measured.expected || measured.twins < size.twins
            let target = size.twins == 100_000 ? "< 256 MiB" : nil
            figures.append(BenchFigure(
                benchmark: Self.name,
                measure: "twin service RSS, \(BenchNumber.grouped(Double(size.twins))) twins × \(size.samples) samples each, --history \(history)"
                    + (short ? " (only \(BenchNumber.grouped(Double(measured.twins))) twins, \(BenchNumber.grouped(Double(measured.ingested))) of "
                       + "\(BenchNumber.grouped(Double(measured.expected))) messages in)" : "")
                    + (measured.dropped > 0 ? ", \(measured.dropped) dropped by its buffer" : ""),
                value: "\(BenchNumber.mebibytes(measured.loaded.residentBytes)) MiB (peak \(BenchNumber.mebibytes(measured.loaded.peakResidentBytes)))",
                target: target, met: target.map { _ in measured.loaded.residentBytes < Self.limit && !short }))
        }
        return figures
    }

    private struct Measured {
        var idle: ProcessFigures
        var loaded: ProcessFigures
        var expected: Int
        var ingested: Int
        var twins: Int
        var dropped: Int
    }

    private func measure(_ size: Size, context: BenchContext) async throws -> Measured {
        let label = "memory: \(BenchNumber.grouped(Double(size.twins))) twins"
        context.progress("\(label): generating \(size.samples) samples of \(min(size.twins, Self.baseMachines)) machines")
        let base = TelemetryStream(scenario: context.fleet, machines: min(size.twins, Self.baseMachines),
                                   count: min(size.twins, Self.baseMachines) * size.samples, topics: context.topics)
        let telemetry = try ReplicatedTelemetry(base, copies: (size.twins + base.machines - 1) / base.machines)

        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let observer = try await context.connectedClient(broker, clientID: "bench-memory-observer")
        let metrics = ServiceMetrics(try await observer.subscribe(to: [context.topics.serviceMetrics], qos: .atLeastOnce))
        defer { metrics.stop() }

        guard let kindFile = context.kinds.values.first?.location.file else { throw BenchError("no machine kinds") }
        let twins = URL(fileURLWithPath: kindFile).deletingLastPathComponent().standardizedFileURL.path
        let log = context.folder.appendingPathComponent("memory-serve-\(size.twins).log").path
        let service = try ChildProcess.spawn(context.twinhub, ["serve", "--root", context.topics.root, "--broker", broker.url, "--no-db",
                                                               "--history", String(history), "--twins", twins, "--log-level", "error"],
                                             output: log)
        defer { service.send(SIGKILL) }
        try await Self.waitUntilServing(service, log: log)
        guard let idle = ProcessFigures.of(service.processID) else { throw BenchError("twinhub serve ended") }

        context.progress("\(label): publishing \(BenchNumber.grouped(Double(telemetry.count))) messages")
        let publisher = try await context.connectedClient(broker, clientID: "bench-memory-publisher")
        try await Self.publish(telemetry, with: publisher)
        await publisher.disconnect()

        context.progress("\(label): waiting for the service's metrics to count them")
        let report = try await metrics.wait(twins: size.twins, messages: telemetry.count) { service.isRunning }
        guard let loaded = ProcessFigures.of(service.processID) else { throw BenchError("twinhub serve ended:\n\(Self.text(log))") }
        await service.stop(within: .seconds(10))
        await observer.disconnect()
        return Measured(idle: idle, loaded: loaded, expected: telemetry.count, ingested: report.messagesIn, twins: report.twins,
                        dropped: report.dropped)
    }

    /// Waits until `twinhub serve` says it serves (it has subscribed by then: its SUBSCRIBEs go out with its CONNECT's
    /// acknowledgement, before it prints the line).
    static func waitUntilServing(_ service: ChildProcess, log: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        // A line in a file has no event to await: poll.
        while !text(log).contains(" serving ") {
            guard service.isRunning else { throw BenchError("twinhub serve \(service.ended.map(\.description) ?? "ended"):\n\(text(log))") }
            guard ContinuousClock.now < deadline else { throw BenchError("twinhub serve did not start within 30 s:\n\(text(log))") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Publishes every message at QoS 1 from one client, so each twin's samples stay in order; keeps at most
    /// `backlog` queued in the client so that memory in this process stays small.
    static func publish(_ telemetry: ReplicatedTelemetry, with client: MQTTClient, backlog: Int = 20_000) async throws {
        for index in 0..<telemetry.count {
            if index % 1000 == 0 {
                while client.queuedCount > backlog { try await Task.sleep(for: .milliseconds(1)) }
            }
            let message = telemetry.message(index)
            try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce, retain: false))
        }
        // Every publish handed to libmosquitto: the last acknowledgements follow within the window of 100.
        while client.queuedCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        let dropped = client.statistics.publishDropped
        guard dropped == 0 else { throw BenchError("the publisher dropped \(dropped) messages") }
    }
}

/// A telemetry stream of some machines, repeated for copies of them under new names (`loom-0001-c2`), so that a few
/// machines' samples feed many twins. Each original message is followed by its copies: every twin gets its samples
/// in order.
struct ReplicatedTelemetry {
    private struct Part {
        var topicHead: String
        var topicTail: String
        var machine: String
        var payloadHead: [UInt8]
        var payloadTail: [UInt8]
    }

    private let parts: [Part]
    let copies: Int
    var count: Int { parts.count * copies }

    /// - Throws: ``BenchError`` if a payload does not name its machine as the simulator writes it.
    init(_ stream: TelemetryStream, copies: Int) throws {
        self.copies = max(1, copies)
        parts = try stream.messages.map { message in
            var levels = message.topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let tail = "/" + levels.removeLast()
            let machine = levels.removeLast()
            // The payload names its machine once, as `"machine":"loom-0001"` (JSONWriter writes no spaces).
            let key = Array(#""machine":""#.utf8), marker = key + Array(machine.utf8) + [UInt8(ascii: "\"")]
            let payload = message.payload
            guard let start = payload.indices.dropLast(marker.count - 1).first(where: { payload[$0...].starts(with: marker) }) else {
                throw BenchError("a telemetry payload does not name its machine \(machine)")
            }
            return Part(topicHead: levels.joined(separator: "/") + "/", topicTail: tail, machine: machine,
                        payloadHead: Array(payload[..<(start + key.count)]), payloadTail: Array(payload[(start + marker.count - 1)...]))
        }
    }

    /// Message `index`: copy `index % copies` of original `index / copies` (copy 0 keeps the machine's name).
    func message(_ index: Int) -> (topic: String, payload: [UInt8]) {
        let part = parts[index / copies]
        let copy = index % copies
        let machine = copy == 0 ? part.machine : "\(part.machine)-c\(copy)"
        return (part.topicHead + machine + part.topicTail, part.payloadHead + Array(machine.utf8) + part.payloadTail)
    }
}

/// The twin service's retained metrics as they come (every 5 s): messages in, twins, and what its buffer dropped.
final class ServiceMetrics: Sendable {
    struct Report: Sendable {
        var messagesIn = 0
        var twins = 0
        var dropped = 0
    }

    private final class Latest: Sendable {
        let report = Mutex<Report?>(nil)
    }
    private let latest = Latest()
    private let reader: Task<Void, Never>

    init(_ subscription: MQTTSubscription) {
        let latest = latest
        reader = Task {
            for await message in subscription {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any] else { continue }
                let report = Report(messagesIn: object["messages_in"] as? Int ?? 0, twins: object["twins"] as? Int ?? 0,
                                    dropped: object["dropped"] as? Int ?? 0)
                latest.report.withLock { $0 = report }
            }
        }
    }

    func stop() { reader.cancel() }

    /// Waits until a report counts `twins` twins and `messages` messages in (or dropped), until the count stops growing
    /// for two reports (12 s), or while `going()`; returns the last report.
    func wait(twins: Int, messages: Int, while going: () -> Bool) async throws -> Report {
        var last = Report(), lastGrowth = ContinuousClock.now
        while going() {
            let report = latest.report.withLock { $0 } ?? Report()
            if report.twins >= twins && report.messagesIn + report.dropped >= messages { return report }
            if report.messagesIn > last.messagesIn || report.twins > last.twins {
                lastGrowth = .now
            } else if ContinuousClock.now - lastGrowth > .seconds(12) {
                return report
            }
            last = report
            // Reports come every 5 s: a poll every 50 ms adds little.
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("twinhub serve ended before its metrics counted every message")
    }
}
