import Foundation
import Histogram
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// Latency: from a fault's first telemetry sample leaving a machine to its alert reaching a subscriber, while a
/// fleet loads the twin service with a steady background of telemetry.
///
/// Probe machines (CNC machining centres) send one sample with the spindle overloaded (`spindle_overload`: load
/// above 100 % on a spindle above 60 °C, no hold time); the time runs from handing that sample to the MQTT client
/// to the `raised` event arriving at a subscriber of `{root}/_alerts/events` (QoS 1). A normal sample then clears
/// the alert before the next probe. Background telemetry from the fleet is paced at the offered rate by two
/// clients at QoS 0, as a fleet's telemetry is.
public struct LatencyBenchmark: Sendable {
    /// Background rates to measure under, in messages per second.
    public var loads: [Int]
    /// Probes per load.
    public var probes: Int
    /// Machines the background comes from.
    public var machines: Int
    /// Probing stops at this much wall time per load even if fewer probes ran (a saturated service answers slowly).
    public var budget: Duration

    public static let name = "latency"
    static let probeMachines = 8

    public init(loads: [Int], probes: Int, machines: Int, budget: Duration) {
        self.loads = loads
        self.probes = probes
        self.machines = machines
        self.budget = budget
    }

    public var method: String {
        "the twin service (every rule on, SQLite storage; an alert goes out once its twin is written) with a background of telemetry from \(BenchNumber.grouped(Double(machines))) "
            + "machines of `scale_10k` paced at each offered rate (QoS 0); \(probes) probes per rate, one at a time: a CNC sample "
            + "with the spindle overloaded, timed from handing it to the client to the `raised` event at a QoS 1 subscriber "
            + "(HdrHistogram, µs, 3 digits), at most \(budget) of probing per rate. `took` is the rate the service actually ingested "
            + "while probing: below the offered rate, the service is saturated and the latency includes its backlog."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let service = try context.twinService(broker, clientID: "bench-latency-service", persistentSession: false, database: "latency.sqlite")
        let serving = try await started(service)
        defer { serving.cancel() }

        let observer = try await context.connectedClient(broker)
        let events = try await observer.subscribe(to: [context.topics.alertEvents], qos: .atLeastOnce, bufferCapacity: 100_000)
        let probe = try await context.connectedClient(broker)
        let background = [try await context.connectedClient(broker), try await context.connectedClient(broker)]
        let seconds = 4.0
        context.progress("latency: generating the background")
        let stream = TelemetryStream(scenario: context.fleet, machines: machines,
                                     count: min(2_000_000, Int(Double(loads.reduce(0, +)) * seconds * 1.5)), topics: context.topics)
        let cursor = StreamCursor()
        var probeMachines = ProbeMachines(count: Self.probeMachines, topics: context.topics)
        let alerts = AlertWaiter(events)

        var figures: [BenchFigure] = []
        for load in loads {
            context.progress("latency: \(BenchNumber.grouped(Double(load))) msg/s in the background, \(probes) probes")
            let pacing = Task { await Self.pace(stream, rate: Double(load), clients: background, cursor: cursor) }
            try await Task.sleep(for: .seconds(1))
            var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
            var missing = 0
            let ingestedBefore = service.statistics.messagesIn
            let start = ContinuousClock.now
            for index in 0..<probes where ContinuousClock.now - start < budget {
                let machine = index % Self.probeMachines
                let sent = ContinuousClock.now
                try probe.send(probeMachines.sample(machine, overloaded: true))
                if let arrived = try await alerts.next("raised", machine: probeMachines.names[machine], within: .seconds(5)) {
                    histogram.record(UInt64(max(0, (arrived - sent).secondsValue * 1_000_000)))
                } else {
                    missing += 1
                }
                try probe.send(probeMachines.sample(machine, overloaded: false))
                _ = try await alerts.next("cleared", machine: probeMachines.names[machine], within: .seconds(5))
            }
            let took = Double(service.statistics.messagesIn - ingestedBefore) / (ContinuousClock.now - start).secondsValue
            pacing.cancel()
            await pacing.value
            figures.append(Self.figure(histogram, load: load, took: took, missing: missing, probes: probes))
            context.progress("latency: \(figures[figures.count - 1].measure): \(figures[figures.count - 1].value)")
        }
        for client in background + [probe, observer] { await client.disconnect() }
        return figures
    }

    static func figure(_ histogram: Histogram<UInt64>, load: Int, took: Double, missing: Int, probes: Int) -> BenchFigure {
        func ms(_ percentile: Double) -> String { BenchNumber.milliseconds(microseconds: Double(histogram.valueAtPercentile(percentile))) }
        let p99 = Double(histogram.valueAtPercentile(99)) / 1000
        let target = load == 10_000 ? "p99 < 10 ms" : nil
        return BenchFigure(
            benchmark: name,
            measure: "fault → alert at a subscriber, \(BenchNumber.grouped(Double(load))) msg/s offered (took \(BenchNumber.grouped(took)))"
                + (missing > 0 ? ", \(missing) alerts missing" : "")
                + (Int(histogram.totalCount) + missing < probes ? ", \(Int(histogram.totalCount) + missing) of \(probes) probes in the time budget" : ""),
            value: histogram.totalCount == 0 ? "no alert arrived within 5 s (the service is saturated)"
                : "p50 \(ms(50)) · p90 \(ms(90)) · p99 \(ms(99)) · max \(BenchNumber.milliseconds(microseconds: Double(histogram.max))) ms",
            target: target, met: target.map { _ in p99 < 10 && missing == 0 })
    }

    /// Sends the stream at `rate` messages per second, spread over `clients`, until cancelled; continues where
    /// the last pacing stopped and wraps around at the end (the twin service then refuses the repeated samples as
    /// old, which still loads it).
    static func pace(_ stream: TelemetryStream, rate: Double, clients: [MQTTClient], cursor: StreamCursor) async {
        let start = ContinuousClock.now
        var sent = 0
        while !Task.isCancelled {
            let due = Int((ContinuousClock.now - start).secondsValue * rate) - sent
            if due > 0 {
                var position = cursor.position.withLock { $0 }
                for offset in 0..<due {
                    let message = stream.messages[position]
                    position = (position + 1) % stream.messages.count
                    if let request = try? PublishRequest(topic: message.topic, payload: message.payload, qos: .atMostOnce, retain: false) {
                        try? clients[offset % clients.count].send(request)
                    }
                }
                cursor.position.withLock { $0 = position }
                sent += due
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Where the background stream goes on from.
final class StreamCursor: Sendable {
    let position = Mutex(0)
}

/// The probe machines and their samples: a normal one, or one with the spindle overloaded.
struct ProbeMachines {
    let names: [String]
    let topics: [String]
    private var sequence = 0
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    init(count: Int, topics map: TopicMap) {
        names = (1...count).map { String(format: "probe-%02d", $0) }
        topics = names.map { map.topic(.telemetry, for: PlantPath(site: "probe", area: "cell", line: "line", machine: $0)) }
    }

    /// A sample of machine `index`; each call is one second later on the machines' clock.
    mutating func sample(_ index: Int, overloaded: Bool) throws -> PublishRequest {
        sequence += 1
        let time = ISO8601Parsing.string(start.addingTimeInterval(Double(sequence)))
        let load = overloaded ? 120 : 50
        let payload = """
            {"ts":"\(time)","seq":\(sequence),"machine":"\(names[index])","kind":"cnc_machining_centre",\
            "values":{"spindle_load":{"value":\(load),"unit":"%"},"spindle_temperature":{"value":70,"unit":"°C"}}}
            """
        return try PublishRequest(topic: topics[index], payload: Array(payload.utf8), qos: .atMostOnce, retain: false)
    }
}

/// Collects when each `spindle_overload` event of each probe machine arrived, from a reader task of its own.
final class AlertWaiter: Sendable {
    private let arrivals: SubscriptionFold<[String: ContinuousClock.Instant]>

    init(_ events: MQTTSubscription) {
        arrivals = SubscriptionFold(events, initial: [:]) { arrivals, message in
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                  let event = object["event"] as? String, let alert = object["alert"] as? [String: Any],
                  let id = alert["id"] as? String, id.hasSuffix("/spindle_overload") else { return }
            let machine = id.split(separator: "/").dropLast().last.map(String.init) ?? ""
            arrivals["\(event) \(machine)"] = message.receivedAt ?? .now
        }
    }

    /// When the `event` of `machine`'s alert arrived (taking it), or `nil` if it has not within `limit`. The arrival
    /// time is the MQTT layer's, so how often this looks does not change the figure.
    func next(_ event: String, machine: String, within limit: Duration) async throws -> ContinuousClock.Instant? {
        let key = "\(event) \(machine)"
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let arrived = arrivals.update({ $0.removeValue(forKey: key) }) { return arrived }
            try await Task.sleep(for: .microseconds(200))
        }
        return nil
    }
}
