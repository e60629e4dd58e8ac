import Foundation
import Synchronization
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// Memory: the twin service's resident memory with 1k, 10k and 100k twins, as `twinhub serve` runs it (every rule
/// of the kinds on, twins in memory only, `--history 60`).
///
/// Each size gets a fresh broker and a fresh `twinhub serve` process. Its idle memory is read once it serves; then
/// every twin gets its samples (QoS 1, in order per twin) at the pace the service takes them in, so that what is
/// measured is the twins and not a backlog of messages: a probe twin gets a sample after every thousand messages, and
/// its snapshot (`…/twin`, at most one a second) tells how far the service has got; the feed stays at most
/// ``window`` messages ahead. Once the probe shows the last message taken in and the service's metrics
/// (`{root}/_twinhub/metrics`, every 5 s) count every twin and message, resident memory and its peak are read from
/// `/proc`. Beyond the 1,000 machines of `scale_10k` whose telemetry is used, twins are copies under new names.
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
    /// Messages the feed may be ahead of the service.
    static let window = 20_000
    /// Messages between two probe samples.
    static let probeEvery = 1000
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
            + "broker per size (\(described)); telemetry of \(Self.baseMachines) machines of `scale_10k`, copied under new machine "
            + "names beyond them, published at QoS 1 in order per twin and paced by a probe twin's snapshots to at most "
            + "\(BenchNumber.grouped(Double(Self.window))) messages ahead of the service (a flood would measure its backlog, not its "
            + "twins); VmRSS and VmHWM (peak) from /proc once every message is in, and the heap in use as the "
            + "service's metrics count it (glibc `mallinfo2`; the service hands freed memory back to the system every 5 s). Idle: the process serving, before its first message."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        for size in sizes {
            let measured = try await measure(size, context: context)
            if figures.isEmpty {
                figures.append(BenchFigure(benchmark: Self.name, measure: "twin service idle: serving, no twins yet (--history \(history))",
                                           value: "\(BenchNumber.mebibytes(measured.idle.residentBytes)) MiB"))
            }
            let short = measured.report.messagesIn < measured.expected || measured.report.twins < size.twins
            let target = size.twins == 100_000 ? "< 256 MiB" : nil
            let rate = Double(measured.expected) / measured.seconds
            let samples = "\(size.samples) sample\(size.samples == 1 ? "" : "s")"
            let shortfall = ", only \(BenchNumber.grouped(Double(measured.report.twins))) twins and "
                + "\(BenchNumber.grouped(Double(measured.report.messagesIn))) of \(BenchNumber.grouped(Double(measured.expected))) messages in"
            figures.append(BenchFigure(
                benchmark: Self.name,
                measure: "twin service RSS, \(BenchNumber.grouped(Double(size.twins))) twins × \(samples) each, --history \(history) "
                    + "(fed at \(BenchNumber.grouped(rate)) msg/s)" + (short ? shortfall : "")
                    + (measured.report.dropped > 0 ? ", \(measured.report.dropped) dropped by its buffer" : ""),
                value: "\(BenchNumber.mebibytes(measured.loaded.residentBytes)) MiB "
                    + "(peak \(BenchNumber.mebibytes(measured.loaded.peakResidentBytes)), heap in use \(BenchNumber.mebibytes(measured.report.heapBytes)))",
                target: target, met: target.map { _ in measured.loaded.residentBytes < Self.limit && !short }))
        }
        return figures
    }

    private struct Measured {
        var idle: ProcessFigures
        var loaded: ProcessFigures
        /// Messages sent, probe samples included.
        var expected: Int
        var report: ServiceMetrics.Report
        /// How long feeding took, to the probe's last acknowledgement.
        var seconds: Double
    }

    private func measure(_ size: Size, context: BenchContext) async throws -> Measured {
        let label = "memory: \(BenchNumber.grouped(Double(size.twins))) twins"
        let machines = min(size.twins, Self.baseMachines)
        context.progress("\(label): generating \(size.samples) samples of \(machines) machines")
        let base = TelemetryStream(scenario: context.fleet, machines: machines, count: machines * size.samples, topics: context.topics)
        let telemetry = try ReplicatedTelemetry(base, copies: (size.twins + base.machines - 1) / base.machines)
        // One sample per checkpoint, with room for the samples sent again while the feed waits.
        let probe = try ProbeTwin(TelemetryStream(scenario: context.fleet, machines: 1, count: telemetry.count / Self.probeEvery + 2000,
                                                  topics: context.topics))

        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let observer = try await context.connectedClient(broker, clientID: "bench-memory-observer")
        let metrics = ServiceMetrics(try await observer.subscribe(to: [context.topics.serviceMetrics], qos: .atLeastOnce))
        defer { metrics.stop() }
        let snapshots = ProbeSnapshots(try await observer.subscribe(to: [probe.snapshotTopic], qos: .atLeastOnce))
        defer { snapshots.stop() }

        guard let kindFile = context.kinds.values.first?.location.file else { throw BenchError("no machine kinds") }
        let twins = URL(fileURLWithPath: kindFile).deletingLastPathComponent().standardizedFileURL.path
        let log = context.folder.appendingPathComponent("memory-serve-\(size.twins).log").path
        let service = try ChildProcess.spawn(context.twinhub, ["serve", "--root", context.topics.root, "--broker", broker.url, "--no-db",
                                                               "--history", String(history), "--twins", twins, "--log-level", "error"],
                                             output: log)
        defer { service.send(SIGKILL) }
        try await Self.waitUntilServing(service, log: log)
        guard let idle = ProcessFigures.of(service.processID) else { throw BenchError("twinhub serve ended") }

        context.progress("\(label): feeding \(BenchNumber.grouped(Double(telemetry.count))) messages at the service's pace")
        let publisher = try await context.connectedClient(broker, clientID: "bench-memory-publisher")
        let start = ContinuousClock.now
        let probeSamples = try await Self.feed(telemetry, probe: probe, snapshots: snapshots, with: publisher) { service.isRunning }
        let seconds = (ContinuousClock.now - start).secondsValue
        await publisher.disconnect()

        // Twins: the sizes' and the probe.
        let expected = telemetry.count + probeSamples
        let report = try await metrics.wait(twins: size.twins + 1, messages: expected) { service.isRunning }
        guard let loaded = ProcessFigures.of(service.processID) else { throw BenchError("twinhub serve ended:\n\(Self.text(log))") }
        await service.stop(within: .seconds(10))
        await observer.disconnect()
        var counted = report
        counted.twins -= 1
        return Measured(idle: idle, loaded: loaded, expected: expected, report: counted, seconds: seconds)
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

    /// Publishes every message at QoS 1 from one client (each twin's samples stay in order), with a probe sample after
    /// every ``probeEvery``, never more than ``window`` messages ahead of what the probe's snapshots show taken in;
    /// returns when the probe shows the last message taken in, with the number of probe samples sent.
    static func feed(_ telemetry: ReplicatedTelemetry, probe: ProbeTwin, snapshots: ProbeSnapshots, with client: MQTTClient,
                     while going: () -> Bool) async throws -> Int {
        // Messages sent before each probe sample.
        var positions: [Int] = []
        var lastProbe = ContinuousClock.now
        func sendProbe(after sent: Int) throws {
            guard positions.count < probe.count else { throw BenchError("the probe twin ran out of samples: the service stalls") }
            try client.send(probe.request(positions.count))
            positions.append(sent)
            lastProbe = .now
        }
        /// How far the service has got, in messages sent: up to the last probe sample its snapshot shows.
        func taken() -> Int {
            guard let shown = snapshots.latest else { return 0 }
            let index = probe.times.lastIndex { $0 <= shown } ?? -1
            return index >= 0 && index < positions.count ? positions[index] : 0
        }
        /// Waits while the service is more than `ahead` messages behind `sent`; a probe sample goes again every
        /// 2 s meanwhile (the service may have dropped a snapshot from its full outgoing queue).
        func waitWhileBehind(_ sent: Int, ahead: Int) async throws {
            var progress = (taken(), ContinuousClock.now)
            while sent - taken() > ahead {
                guard going() else { throw BenchError("twinhub serve ended while fed") }
                if taken() > progress.0 { progress = (taken(), .now) }
                guard ContinuousClock.now - progress.1 < .seconds(60) else {
                    throw BenchError("the service took in nothing for 60 s (\(taken()) of \(sent) messages)")
                }
                if ContinuousClock.now - lastProbe > .seconds(2) { try sendProbe(after: sent) }
                // Snapshots come at most once a second: a poll every 5 ms is fine-grained enough.
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        for index in 0..<telemetry.count {
            if index % probeEvery == 0 {
                try sendProbe(after: index)
                try await waitWhileBehind(index, ahead: window)
            }
            let message = telemetry.message(index)
            try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce, retain: false))
        }
        try sendProbe(after: telemetry.count)
        try await waitWhileBehind(telemetry.count, ahead: 0)
        let dropped = client.statistics.publishDropped
        guard dropped == 0 else { throw BenchError("the publisher dropped \(dropped) messages") }
        return positions.count
    }
}

/// A telemetry stream of some machines, repeated for copies of them under new names (`loom-0001-c2`), so that a few
/// machines' samples feed many twins. Each original message is followed by its copies: every twin gets its samples
/// in order.
struct ReplicatedTelemetry {
    struct Part {
        var topicHead: String
        var topicTail: String
        var machine: String
        var payloadHead: [UInt8]
        var payloadTail: [UInt8]

        /// The message under the name `machine`.
        func named(_ machine: String) -> (topic: String, payload: [UInt8]) {
            (topicHead + machine + topicTail, payloadHead + Array(machine.utf8) + payloadTail)
        }
    }

    let parts: [Part]
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
        return part.named(copy == 0 ? part.machine : "\(part.machine)-c\(copy)")
    }
}

/// A twin of its own (`…-probe`) whose samples, one second apart, mark how far a feed has got.
struct ProbeTwin {
    private let parts: [ReplicatedTelemetry.Part]
    /// The time of each sample, in order.
    let times: [Date]
    let name: String
    let snapshotTopic: String
    var count: Int { parts.count }

    init(_ stream: TelemetryStream) throws {
        parts = try ReplicatedTelemetry(stream, copies: 1).parts
        guard let first = parts.first else { throw BenchError("no probe samples") }
        name = first.machine + "-probe"
        snapshotTopic = first.topicHead + name + "/" + TopicMap.Channel.twin.rawValue
        times = try stream.messages.map { message in
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                  let text = object["ts"] as? String, let time = ISO8601Parsing.date(text) else {
                throw BenchError("a probe sample has no time")
            }
            return time
        }
    }

    func request(_ index: Int) throws -> PublishRequest {
        let message = parts[index].named(name)
        return try PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce, retain: false)
    }
}

/// The latest sample time the probe twin's snapshots show, read by a task of its own.
final class ProbeSnapshots: Sendable {
    private let shown: SubscriptionFold<Date?>

    init(_ subscription: MQTTSubscription) {
        shown = SubscriptionFold(subscription, initial: nil) { shown, message in
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                  let reported = object["reported"] as? [String: Any] else { return }
            let times = reported.values.compactMap { ($0 as? [String: Any])?["ts"] as? String }.compactMap(ISO8601Parsing.date)
            guard let latest = times.max() else { return }
            shown = max(shown ?? latest, latest)
        }
    }

    var latest: Date? { shown.value }

    func stop() { shown.stop() }
}

/// The twin service's retained metrics as they come (every 5 s): messages in, twins, and what its buffer dropped.
final class ServiceMetrics: Sendable {
    struct Report: Sendable {
        var messagesIn = 0
        var twins = 0
        var dropped = 0
        /// The allocator's bytes in use, as the service counts them.
        var heapBytes = 0
    }

    private let latest: SubscriptionFold<Report?>

    init(_ subscription: MQTTSubscription) {
        latest = SubscriptionFold(subscription, initial: nil) { latest, message in
            guard let metrics = try? JSONCodec.decodeMetrics(message.payload) else { return }
            latest = Report(messagesIn: metrics.messagesIn, twins: metrics.twins, dropped: metrics.dropped, heapBytes: metrics.heapBytes)
        }
    }

    func stop() { latest.stop() }

    /// Waits until a report counts `twins` twins and `messages` messages in (or dropped), until the count stops growing
    /// for two reports (12 s), or while `going()`; returns the last report.
    func wait(twins: Int, messages: Int, while going: () -> Bool) async throws -> Report {
        var last = Report(), lastGrowth = ContinuousClock.now
        while going() {
            let report = latest.value ?? Report()
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
