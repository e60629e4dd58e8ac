import Foundation
import Synchronization
import SimulationRuntime
import TwinHubBroker
import TwinHubMQTT
import TwinModel

/// Simulator: the highest publish rate the simulator sustains, against `mosquitto_pub -l` through the same broker
/// in the same run; and how many machines it keeps connected at once, each with its own connection and last will,
/// with its CPU at one sample per machine per second.
///
/// Rate: `mosquitto_pub -l -q 0` sends a file of telemetry lines (timed from spawn to exit), before and after the
/// simulator, which runs in this process asked for more than the peer's rate (machines × speed), for a limited
/// simulated time. Its rate is what the broker counted (`$SYS/broker/publish/messages/received`) from its first status
/// report to its shutdown, so neither what its bounded queues dropped nor what they still held at the end counts. A
/// simulator that cannot generate as fast as asked falls behind its clock and catches up in ever longer steps; the
/// limit in simulated time bounds that.
///
/// Connections: `twinhub sim` processes, one per shard of `scale_10k`, at ×1; the broker's
/// `$SYS/broker/clients/connected` counts the machines; once all are connected, the processes' CPU time and resident
/// memory are read from `/proc` over a window.
public struct SimulatorBenchmark: Sendable {
    /// Telemetry lines `mosquitto_pub -l` sends.
    public var peerMessages: Int
    /// Machines of `scale_10k` the in-process simulator runs for the rate.
    public var rateMachines: Int
    /// Wall seconds of the rate's steady part (after the first second, which is skipped).
    public var rateSeconds: Int
    /// What the simulator is asked for, one run each, as multiples of the peer's rate; the figure is the highest rate
    /// the broker took. One demand well above what it sustains would understate it: past its highest rate, what the
    /// broker takes falls (making messages the broker cannot take yet costs the CPU the broker needs, on 2 cores). With
    /// none above 1 (smoke mode, where a debug build would take long to fall behind and catch up) the figure only
    /// shows that it runs, and has no target.
    public var demands: [Double]
    /// `twinhub sim` processes for the connections: `--shard k/shards` for `k` in `1...processes`.
    public var processes: Int
    public var shards: Int
    /// Wall seconds the simulators' CPU is measured over, once every machine is connected.
    public var cpuSeconds: Int

    public init(peerMessages: Int, rateMachines: Int, rateSeconds: Int, demands: [Double] = [0.9, 1.0, 1.1], processes: Int, shards: Int, cpuSeconds: Int) {
        self.peerMessages = peerMessages
        self.rateMachines = rateMachines
        self.rateSeconds = rateSeconds
        precondition(!demands.isEmpty, "the simulator's rate needs a demand")
        self.demands = demands
        self.processes = processes
        self.shards = shards
        self.cpuSeconds = cpuSeconds
    }

    public static let name = "simulator"
    /// Telemetry topic of the peer (no one subscribes: the broker only takes the messages in, as for the simulator).
    static let peerTopic = "bench/peer/telemetry"
    static let receivedTopic = "$SYS/broker/publish/messages/received"
    static let connectedTopic = "$SYS/broker/clients/connected"

    public var method: String {
        "Rate, one private mosquitto with no subscribers to telemetry: `mosquitto_pub -l -q 0` sends "
            + "\(BenchNumber.grouped(Double(peerMessages))) telemetry lines of `scale_10k` from a file, timed from spawn to exit, "
            + "once before and once after the simulator (the peer's figure is their mean). The simulator, in process with "
            + "\(BenchNumber.grouped(Double(rateMachines))) machines of `scale_10k` (one connection each), is asked "
            + demands.map { "\($0)×" }.joined(separator: ", ") + " the peer's first rate (one run each, the next once the broker saw every machine of the last leave) for \(rateSeconds + 1) s of its clock; the figure is "
            + "the highest of these runs (past its highest rate, what reaches the broker falls); a run's rate is what the broker counted received "
            + "(`$SYS/broker/publish/messages/received`, reported every 2 s) from its first status report to the first machine announcing "
            + "its stop (not its connecting, first second or shutdown), so messages its queues dropped or still held do not count. "
            + "Connections: \(processes) `twinhub sim scale_10k --shard k/\(shards) --speed 1` processes (every machine its own MQTT "
            + "connection with a retained last will `offline` on its status topic) until the broker's `$SYS/broker/clients/connected` "
            + "counts them all (less the observer's own connection); then, after a second, their CPU (utime + stime from /proc, "
            + "% of one core, summed) and RSS over \(cpuSeconds) s."
    }

    public func run(_ context: BenchContext) async throws -> [BenchFigure] {
        let broker = try await context.startBroker()
        defer { broker.shutdown() }
        let observer = try await context.connectedClient(broker, clientID: "bench-simulator-observer")
        let counters = BrokerCounters(try await observer.subscribe(to: [Self.receivedTopic, Self.connectedTopic], qos: .atMostOnce))
        defer { counters.stop() }

        // The peer runs before and after the simulator, so that a change of load on the machine shows in both.
        let input = try peerInput(context)
        let peerBefore = try await peerRate(context, input: input, broker: broker, round: 1)
        var runs: [SimulatorRun] = []
        for demand in demands {
            let run = try await simulatorRate(context, demand: demand, broker: broker, observer: observer, counters: counters, peerRate: peerBefore)
            context.progress("simulator: asked \(BenchNumber.grouped(run.demand)) msg/s, the broker took \(BenchNumber.grouped(run.brokerRate)) msg/s")
            runs.append(run)
            // The next run starts once the broker has seen every machine of this one leave: what it still had to read
            // of this run would count in the next.
            let left = try await counters.wait(Self.connectedTopic, atMost: 1, within: .seconds(30))
            if left > 1 { throw BenchError("the simulator's machines had not all left the broker 30 s after it stopped") }
        }
        let rate = runs.max { $0.brokerRate < $1.brokerRate }!
        let flatOut = demands.contains { $0 > 1 }
        let peerAfter = try await peerRate(context, input: input, broker: broker, round: 2)
        let peer = (peerBefore + peerAfter) / 2
        let scale = try await connections(context, broker: broker, counters: counters)
        await observer.disconnect()

        let ratio = rate.brokerRate / peer
        return [
            BenchFigure(
                benchmark: Self.name,
                measure: "simulator publish rate reaching the broker, \(BenchNumber.grouped(Double(rate.machines))) machines at "
                    + "×\(BenchNumber.grouped(rate.speed)) asking \(BenchNumber.grouped(rate.demand)) msg/s"
                    + (rate.dropped > 0 ? " (its queues dropped \(BenchNumber.grouped(Double(rate.dropped))))" : "")
                    + (runs.count > 1 ? ", the highest of its runs asking "
                        + runs.map { "\(BenchNumber.grouped($0.demand / 1000))k (took \(BenchNumber.grouped($0.brokerRate / 1000))k)" }.joined(separator: ", ") : "")
                    + (flatOut ? "" : ", below the peer's rate: not its highest"),
                value: "\(BenchNumber.grouped(rate.brokerRate)) msg/s",
                peer: "mosquitto_pub -l \(BenchNumber.grouped(peer)) msg/s "
                    + "(\(BenchNumber.grouped(peerBefore)) before, \(BenchNumber.grouped(peerAfter)) after)",
                ratio: ratio, target: flatOut ? "ratio ≥ 0.9" : nil, met: flatOut ? ratio >= 0.9 : nil),
            BenchFigure(
                benchmark: Self.name,
                measure: "machines connected at once, each with its own connection and last will (\(processes) × `twinhub sim --shard`)",
                value: BenchNumber.grouped(Double(scale.connected)), target: BenchNumber.grouped(Double(scale.machines)),
                met: scale.connected >= scale.machines),
            BenchFigure(
                benchmark: Self.name,
                measure: "simulator CPU at \(BenchNumber.grouped(Double(scale.connected))) machines × 1 Hz"
                    + (scale.brokerRate.map { " (the broker took \(BenchNumber.grouped($0)) msg/s from them)" } ?? ""),
                value: String(format: "%.1f %% of one core", scale.cpuPercent)
                    + " (\(processes) processes), RSS \(BenchNumber.mebibytes(scale.residentBytes)) MiB"),
        ]
    }

    // MARK: Rate

    /// Writes the peer's input: telemetry payloads of the rate's machines, one a line.
    private func peerInput(_ context: BenchContext) throws -> String {
        context.progress("simulator: generating \(BenchNumber.grouped(Double(peerMessages))) lines for mosquitto_pub -l")
        let stream = TelemetryStream(scenario: context.fleet, machines: rateMachines, count: peerMessages, topics: context.topics)
        var lines: [UInt8] = []
        lines.reserveCapacity(stream.messages.reduce(0) { $0 + $1.payload.count + 1 })
        for message in stream.messages {
            lines += message.payload
            lines.append(UInt8(ascii: "\n"))
        }
        let path = context.folder.appendingPathComponent("simulator-peer.txt").path
        guard FileManager.default.createFile(atPath: path, contents: Data(lines)) else { throw BenchError("cannot write \(path)") }
        return path
    }

    /// `mosquitto_pub -l` with `path` as its input: messages per second from spawn to exit. (What the broker has not
    /// read yet when it exits is at most a socket buffer's worth: this can only flatter the peer.)
    private func peerRate(_ context: BenchContext, input path: String, broker: MosquittoBroker, round: Int) async throws -> Double {
        let input = open(path, O_RDONLY)
        guard input >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        context.progress("simulator: mosquitto_pub -l sends \(BenchNumber.grouped(Double(peerMessages))) messages (run \(round) of 2)")
        let publisher = try BrokerExecutables.locate("mosquitto_pub").path
        let start = ContinuousClock.now
        let child = try ChildProcess.spawn(publisher, ["-h", "127.0.0.1", "-p", String(broker.port), "-i", "bench-simulator-peer",
                                                       "-l", "-q", "0", "-t", Self.peerTopic],
                                           standardInput: input, output: context.folder.appendingPathComponent("simulator-peer.log").path)
        let ended = await child.waitForExit()
        let seconds = (ContinuousClock.now - start).secondsValue
        guard ended == .exited(0) else { throw BenchError("mosquitto_pub -l \(ended)") }
        return Double(peerMessages) / seconds
    }

    /// When the simulator first reported its status: the start of a run's steady part.
    final class FirstReport: Sendable {
        private let time = Mutex<ContinuousClock.Instant?>(nil)

        func note(_ now: ContinuousClock.Instant) { time.withLock { $0 = $0 ?? now } }
        var first: ContinuousClock.Instant? { time.withLock { $0 } }
    }

    /// One run of the simulator, and what the broker took from it.
    struct SimulatorRun {
        var machines: Int, speed: Double, demand: Double, brokerRate: Double, dropped: Int
    }

    /// What the in-process simulator publishes asked `demand` × the peer's rate.
    private func simulatorRate(_ context: BenchContext, demand: Double, broker: MosquittoBroker, observer: MQTTClient, counters: BrokerCounters,
                               peerRate: Double) async throws -> SimulatorRun {
        var scenario = context.fleet
        scenario.machines = scenario.machinesSpread(rateMachines)
        let interval = scenario.machines.map(\.kind.interface.sampleInterval.secondsValue).max() ?? 1
        // Demand per wall second: machines × speed / sample interval.
        let speed = (demand * peerRate * interval / Double(scenario.machines.count)).rounded(.up)
        // A limit in simulated time, so that a run whose clock is held back (the broker or generating cannot keep up)
        // still does the same work.
        var options = FleetSimulator.Options(connection: try ClientConfiguration(url: broker.url), topics: context.topics, speed: speed,
                                             duration: .seconds(Double(rateSeconds + 1) * speed))
        options.connection.reconnect.enabled = false
        let fleet = try FleetSimulator(scenario: scenario, options: options, logger: context.logger)

        // Its shutdown starts with a machine announcing it stops: the end of the steady part.
        let statuses = try await observer.subscribe(to: [context.topics.filter(.status)], qos: .atLeastOnce)
        defer { statuses.cancel() }
        let reports = FirstReport()
        let stopping = Task { () -> ContinuousClock.Instant? in
            for await message in statuses where !message.retain && message.payloadString?.contains(#""reason":"simulator stopped""#) == true {
                // A stop of an earlier run (retained, or still on its way) comes before this run's first report.
                let at = message.receivedAt ?? .now
                if let first = reports.first, at > first { return at }
            }
            return nil
        }
        defer { stopping.cancel() }

        context.progress("simulator: \(scenario.machines.count) machines at ×\(Int(speed)) for \(rateSeconds + 1) s of its clock")
        let summary = try await fleet.run { _ in reports.note(.now) }
        // The steady part: from the first report (the fleet connected, then ran a second) to its shutdown, whose
        // sending of what its queues still hold does not count.
        guard let steadyStart = reports.first else { throw BenchError("the simulator did not report its rate") }
        // The announcement may still be on its way to the observer: wait for it, a few seconds at most.
        let announced = await withTaskGroup(of: ContinuousClock.Instant?.self) { group in
            group.addTask { await stopping.value }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                statuses.cancel()
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        guard let steadyEnd = announced else { throw BenchError("the simulator's machines did not announce their stop") }
        let readings = counters.readings(Self.receivedTopic).filter { $0.at >= steadyStart && $0.at <= steadyEnd }
        // mosquitto 2.0 reports its counts every other second with `sys_interval 1`.
        guard let first = readings.first, let last = readings.last, last.at - first.at >= .seconds(1) else {
            throw BenchError("the broker reported its count too rarely while the simulator ran: \(readings.count) reading(s) in "
                             + "\(String(format: "%.1f", (steadyEnd - steadyStart).secondsValue)) s of steady running")
        }
        let brokerRate = (last.value - first.value) / (last.at - first.at).secondsValue
        return SimulatorRun(machines: scenario.machines.count, speed: speed, demand: Double(scenario.machines.count) * speed / interval,
                            brokerRate: brokerRate, dropped: summary.dropped)
    }

    // MARK: Connections and CPU

    /// `twinhub sim` processes over the shards of `scale_10k`: machines connected, and their CPU and memory at ×1.
    private func connections(_ context: BenchContext, broker: MosquittoBroker, counters: BrokerCounters) async throws
        -> (machines: Int, connected: Int, cpuPercent: Double, residentBytes: Int, brokerRate: Double?) {
        let scenarioFile = URL(fileURLWithPath: context.fleet.location.file).standardizedFileURL.path
        guard let kindFile = context.kinds.values.first?.location.file else { throw BenchError("no machine kinds") }
        let twins = URL(fileURLWithPath: kindFile).deletingLastPathComponent().standardizedFileURL.path
        let machines = (1...processes).reduce(0) { total, shard in
            total + context.fleet.machines.indices.filter { $0 % shards == shard - 1 }.count
        }
        // Connected besides the simulators: the observer (the rate's fleet and mosquitto_pub have left).
        let observers = 1.0
        context.progress("simulator: \(processes) × twinhub sim, \(BenchNumber.grouped(Double(machines))) machines connecting")
        var children: [ChildProcess] = []
        defer { children.forEach { $0.send(SIGKILL) } }
        for shard in 1...processes {
            children.append(try ChildProcess.spawn(
                context.twinhub,
                ["sim", scenarioFile, "--twins", twins, "--shard", "\(shard)/\(shards)", "--speed", "1", "--broker", broker.url,
                 "--root", context.topics.root, "--log-level", "error"],
                output: context.folder.appendingPathComponent("simulator-sim-\(shard).log").path))
        }
        // Up to 10,000 connections: 20 connections a millisecond is ample.
        let deadline = Duration.seconds(10 + machines / 200)
        let reached = try await counters.wait(Self.connectedTopic, atLeast: observers + Double(machines), within: deadline) {
            children.allSatisfy(\.isRunning)
        }
        let connected = Int(reached - observers)
        for (index, child) in children.enumerated() where !child.isRunning {
            let log = (try? String(contentsOf: context.folder.appendingPathComponent("simulator-sim-\(index + 1).log"), encoding: .utf8)) ?? ""
            throw BenchError("twinhub sim --shard \(index + 1)/\(shards) \(child.ended.map(\.description) ?? "ended"):\n\(log)")
        }

        context.progress("simulator: \(BenchNumber.grouped(Double(connected))) connected; CPU over \(cpuSeconds) s")
        // The last machines' announcements (status, state) are not the steady load.
        try await Task.sleep(for: .seconds(1))
        let before = children.compactMap { ProcessFigures.of($0.processID) }
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(cpuSeconds))
        let after = children.compactMap { ProcessFigures.of($0.processID) }
        let seconds = (ContinuousClock.now - start).secondsValue
        guard before.count == processes, after.count == processes else { throw BenchError("a twinhub sim process ended while measured") }
        let cpu = zip(before, after).reduce(0) { $0 + $1.1.cpuSeconds - $1.0.cpuSeconds } / seconds * 100
        let resident = after.reduce(0) { $0 + $1.residentBytes }
        let readings = counters.readings(Self.receivedTopic).filter { $0.at >= start }
        let brokerRate = readings.count < 2 ? nil
            : (readings[readings.count - 1].value - readings[0].value) / (readings[readings.count - 1].at - readings[0].at).secondsValue

        context.progress("simulator: stopping the twinhub sim processes")
        await withTaskGroup(of: Void.self) { group in
            for child in children { group.addTask { await child.stop(within: .seconds(30)) } }
        }
        return (machines, connected, cpu, resident, brokerRate)
    }
}

/// The broker's `$SYS` counters as they arrive, with when they arrived; read by a task of its own. mosquitto 2.0
/// publishes a counter when it changed, every other `sys_interval` (its check is `now - interval > last`).
final class BrokerCounters: Sendable {
    struct Reading: Sendable {
        var value: Double
        var at: ContinuousClock.Instant
    }

    private let byTopic: SubscriptionFold<[String: [Reading]]>

    init(_ subscription: MQTTSubscription) {
        byTopic = SubscriptionFold(subscription, initial: [:]) { byTopic, message in
            guard let value = message.payloadString.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) else { return }
            byTopic[message.topic, default: []].append(Reading(value: value, at: message.receivedAt ?? .now))
        }
    }

    func stop() { byTopic.stop() }

    /// Every reading of `topic` so far, oldest first.
    func readings(_ topic: String) -> [Reading] { byTopic.update { $0[topic] ?? [] } }

    /// Waits until `topic` reports at most `target` (after now: an older report may predate what is awaited), or `limit`
    /// passes; returns the latest value.
    func wait(_ topic: String, atMost target: Double, within limit: Duration) async throws -> Double {
        let start = ContinuousClock.now, deadline = start + limit
        while ContinuousClock.now < deadline {
            if let latest = readings(topic).last, latest.at > start, latest.value <= target { return latest.value }
            try await Task.sleep(for: .milliseconds(50))
        }
        return readings(topic).last?.value ?? .infinity
    }

    /// Waits until `topic` reaches `target`, `limit` passes, or `going()` turns false; returns the latest value.
    /// The broker reports every 2 s, so a poll every 50 ms is fine-grained enough.
    func wait(_ topic: String, atLeast target: Double, within limit: Duration,
              while going: () -> Bool = { true }) async throws -> Double {
        let deadline = ContinuousClock.now + limit
        var latest = readings(topic).last?.value ?? 0
        while latest < target, ContinuousClock.now < deadline, going() {
            try await Task.sleep(for: .milliseconds(50))
            latest = readings(topic).last?.value ?? 0
        }
        return latest
    }
}

extension ChildProcess {
    /// Stops the child with SIGTERM (it shuts down in order) and waits for it; SIGKILL if it takes longer than `limit`.
    func stop(within limit: Duration) async {
        send(SIGTERM)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await self.waitForExit() }
            group.addTask { if (try? await Task.sleep(for: limit)) != nil { self.send(SIGKILL) } }
            // Whichever ends first: an exit cancels the sleep; a full sleep has killed the child, which then exits.
            await group.next()
            group.cancelAll()
        }
    }
}
