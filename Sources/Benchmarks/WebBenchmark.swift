import Foundation
import Histogram
import HummingbirdWSClient
import Synchronization
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// `twinhub web` under many WebSocket clients: a fleet whose every machine sends a sample a second (its source
/// time the wall clock), the twin service in this process, `twinhub web` as a process of its own (so its CPU and
/// memory are its own), and clients here each following the whole fleet at a rate. Measures the web process's CPU
/// and resident memory, the messages the clients receive a second, and the age of the data they receive: from a
/// reading's source time to its arrival at a client.
public struct WebBenchmark: Sendable {
    public static let name = "web"

    /// One load: how many clients follow how many machines at what rate.
    public struct Load: Sendable {
        public var clients: Int
        public var machines: Int
        public var rate: Int
        public var seconds: Int
    }

    public var loads: [Load]
    /// Clients that read every message they get for the ages (the others count them): reading them all would make
    /// this process, which shares the machine's cores with the web process, the bottleneck.
    public var measuringClients = 10

    public var method: String {
        "A private mosquitto; the twin service (every rule on, SQLite, snapshots every 100 ms at most) in the benchmark's process; `twinhub web` as its own "
            + "process; a publisher sending each machine a sample a second (QoS 0, source time = wall clock); WebSocket clients "
            + "(HummingbirdWSClient) in the benchmark's process, each subscribed to every machine's readings at the load's rate, "
            + "connected before the measured window. CPU and RSS of the web process from /proc over the window; messages: all "
            + "received by all clients over the window; age: now − the reading's `ts` at arrival, for the readings of deltas "
            + "received by \(measuringClients) clients (HdrHistogram, ms). All on the same 2 shared cores: the clients and "
            + "the publisher compete with the web process."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        for load in loads { figures += try await measure(load, context: context) }
        return figures
    }

    /// What the clients received.
    final class Reception: Sendable {
        let messages = Atomic<Int>(0)
        let connected = Atomic<Int>(0)
        let ages = Mutex(Histogram<UInt64>(highestTrackableValue: 600_000, numberOfSignificantValueDigits: .three))
        let counting = Atomic<Bool>(false)

        func note(_ text: String, measuring: Bool) {
            guard counting.load(ordering: .relaxed) else { return }
            messages.add(1, ordering: .relaxed)
            guard measuring, text.hasPrefix(#"{"type":"delta""#) else { return }
            let now = Date()
            var ages: [UInt64] = []
            // Every `"ts":"…"` of the message: the readings' source times.
            var rest = Substring(text)
            while let range = rest.range(of: #""ts":""#) {
                let start = range.upperBound
                guard let end = rest[start...].firstIndex(of: "\"") else { break }
                if let time = ISO8601Parsing.date(String(rest[start..<end])) {
                    ages.append(UInt64(max(0, now.timeIntervalSince(time) * 1000)))
                }
                rest = rest[end...]
            }
            self.ages.withLock { histogram in for age in ages { histogram.record(age) } }
        }
    }

    private func measure(_ load: Load, context: BenchContext) async throws -> [BenchFigure] {
        let label = "web: \(BenchNumber.grouped(Double(load.clients))) clients × \(BenchNumber.grouped(Double(load.machines))) machines at \(load.rate) Hz"
        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        // Snapshots every 100 ms at most, as a service feeding live 3D clients would be run (`--snapshot-interval 0.1`):
        // the default second would make the data's age the service's pacing, not the web server's.
        let service = try context.twinService(broker, clientID: "bench-web-service", persistentSession: false, database: "web-\(load.clients)-\(load.rate).sqlite",
                                              snapshotInterval: .milliseconds(100))
        let serving = try await started(service)
        defer { serving.cancel() }

        let port = try FreePort.pick()
        let log = context.folder.appendingPathComponent("web-\(load.clients).log").path
        let web = try ChildProcess.spawn(context.twinhub, ["web", "--root", context.topics.root, "--broker", broker.url,
                                                           "--listen", "127.0.0.1:\(port)", "--log-level", "error"], output: log)
        defer { web.send(SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FreePort.acceptsConnections(port: port) {
            guard web.isRunning, ContinuousClock.now < deadline else { throw BenchError("twinhub web did not listen:\n\(MemoryBenchmark.text(log))") }
            // Another process's port: polled.
            try await Task.sleep(for: .milliseconds(20))
        }

        // The fleet: a sample a second per machine, spread over the second.
        guard let kind = context.kinds.values.sorted(by: { $0.id < $1.id }).first(where: { !$0.interface.properties.isEmpty }) else {
            throw BenchError("no machine kind with properties")
        }
        let property = kind.interface.properties[0]
        let publisher = try await context.connectedClient(broker, clientID: "bench-web-publisher")
        let machines = (0..<load.machines).map { PlantPath(site: "bench", area: "web", line: "line-\($0 / 100)", machine: "m-\($0)") }
        let publishing = Task {
            var sequence: UInt64 = 0
            while !Task.isCancelled {
                sequence += 1
                for batch in stride(from: 0, to: machines.count, by: max(1, machines.count / 10)) {
                    for machine in machines[batch..<min(batch + max(1, machines.count / 10), machines.count)] {
                        let value = (property.normal.lowerBound + property.normal.upperBound) / 2 + Double(sequence % 7) * 0.01
                        let sample = TelemetrySample(time: Date(), sequence: sequence,
                                                     values: [.init(property: property.name, value: value, unit: property.unit)])
                        try? publisher.send(PublishRequest(topic: context.topics.topic(.telemetry, for: machine),
                                                           payload: JSONCodec.telemetry(sample, machine: machine.name, kind: kind.id)))
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        defer { publishing.cancel() }

        context.progress("\(label): connecting the clients")
        let reception = Reception()
        let subscribe = #"{"op":"subscribe","id":"bench","fields":["readings"],"max_rate":\#(load.rate)}"#
        let clients = (0..<load.clients).map { index in
            Task {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/stream",
                                                  configuration: .init(maxFrameSize: 1 << 24), logger: context.logger) { inbound, outbound, _ in
                    try await outbound.write(.text(subscribe))
                    reception.connected.add(1, ordering: .relaxed)
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let text) = message { reception.note(text, measuring: index < measuringClients) }
                    }
                }
            }
        }
        defer { for client in clients { client.cancel() } }
        let connectDeadline = ContinuousClock.now + .seconds(60)
        while reception.connected.load(ordering: .relaxed) < load.clients {
            guard ContinuousClock.now < connectDeadline else {
                throw BenchError("only \(reception.connected.load(ordering: .relaxed)) of \(load.clients) clients connected in 60 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Every client has its snapshot and the fleet is flowing before the window opens.
        try await Task.sleep(for: .seconds(2))

        context.progress("\(label): measuring for \(load.seconds) s")
        guard let before = ProcessFigures.of(web.processID) else { throw BenchError("twinhub web ended:\n\(MemoryBenchmark.text(log))") }
        reception.counting.store(true, ordering: .relaxed)
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(load.seconds))
        reception.counting.store(false, ordering: .relaxed)
        let seconds = (ContinuousClock.now - start).secondsValue
        guard let after = ProcessFigures.of(web.processID) else { throw BenchError("twinhub web ended:\n\(MemoryBenchmark.text(log))") }

        let ages = reception.ages.withLock { $0 }
        let cpu = (after.cpuSeconds - before.cpuSeconds) / seconds
        let perSecond = Double(reception.messages.load(ordering: .relaxed)) / seconds
        let ageText = ages.totalCount == 0 ? "no delta measured"
            : "p50 \(ages.valueAtPercentile(50)) · p99 \(ages.valueAtPercentile(99)) · max \(ages.max) ms (\(BenchNumber.grouped(Double(ages.totalCount))) readings)"
        let p99 = ages.totalCount == 0 ? Double.infinity : Double(ages.valueAtPercentile(99))
        return [
            BenchFigure(benchmark: Self.name, measure: "\(label): messages received by the clients", value: "\(BenchNumber.grouped(perSecond)) msg/s"),
            BenchFigure(benchmark: Self.name, measure: "\(label): the web process's CPU", value: String(format: "%.0f %% of a core", cpu * 100)),
            BenchFigure(benchmark: Self.name, measure: "\(label): the web process's RSS", value: "\(BenchNumber.mebibytes(after.residentBytes)) MiB",
                        target: "< 512 MiB", met: after.residentBytes < 512 << 20),
            BenchFigure(benchmark: Self.name, measure: "\(label): age of the data at the clients, from the reading's source time", value: ageText,
                        target: "p99 < 250 ms", met: p99 < 250),
        ]
    }
}
