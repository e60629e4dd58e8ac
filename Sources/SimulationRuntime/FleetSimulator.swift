import Foundation
import Logging
import Simulation
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// Runs a scenario against a broker: every machine gets its own MQTT connection with a last will on its
/// `status` topic (as a real fleet has), publishes what its simulator produces, and obeys commands on
/// its `cmd` topic. All connections share MQTT event loops: no thread per machine.
public final class FleetSimulator: Sendable {
    /// How a run is set up.
    public struct Options: Sendable {
        /// Connection settings every machine uses (URL, TLS, protocol); client ID and will are per machine.
        public var connection: ClientConfiguration
        public var topics: TopicMap
        /// Simulated seconds per wall second; overrides the scenario's.
        public var speed: Double
        /// Stop after this much simulated time; `nil` runs until cancelled.
        public var duration: Duration?
        /// How often the simulation advances, in wall time.
        public var tick: Duration = .milliseconds(50)
        /// Connection attempts under way at once while the fleet connects.
        public var connectConcurrency = 200
        /// Each machine's bounded outgoing queue while its connection is down or backed up.
        public var queuePerMachine = 1000
        /// Whether the simulated clock is paced by what the machines get sent (``StepPacing``): while a connected
        /// machine's messages back up (the broker, the network or the MQTT thread takes less than the speed asks), the
        /// clock is held back and the run is slower than asked, the status says by how much; a step after a slow one
        /// covers at most a quarter of a queue, and the rest is caught up at once. Machines whose connection is down never hold it: a simulated network loss suppresses their
        /// messages, and a lost broker connection queues them until its bounded queue drops them, counted, as a real
        /// machine's would. A broker that still holds the connections but takes nothing holds the clock until their
        /// keepalive ends them (so a `duration` has no bound in wall time). Off: the clock keeps the speed asked, and
        /// what full queues drop is counted.
        public var paced = true
        /// Tells this fleet's machines apart from those of another fleet of the same scenario under the same root on the
        /// same broker: part of every machine's client ID (`twinhub-sim/{root}[/{fleetID}]/{site}/{area}/{line}/{machine}`).
        public var fleetID: String?

        public init(connection: ClientConfiguration, topics: TopicMap, speed: Double, duration: Duration? = nil) {
            self.connection = connection
            self.topics = topics
            self.speed = speed
            self.duration = duration
        }
    }

    public let scenario: Scenario
    public let options: Options
    let logger: Logger
    /// One per machine, in the scenario's order; each reports to the fleet only through ``counters`` and ``commands``.
    let links: [MachineLink]
    let counters: FleetCounters
    /// Commands the links received, for the run loop's next pass.
    let commands: CommandInbox

    public init(scenario: Scenario, options: Options, eventLoop: MQTTEventLoop = .shared, logger: Logger) {
        self.scenario = scenario
        self.options = options
        self.logger = logger
        let counters = FleetCounters()
        let commands = CommandInbox()
        self.counters = counters
        self.commands = commands
        let environment = MachineLink.Environment(
            connection: options.connection,
            clientIDPrefix: "twinhub-sim/\(options.topics.root)" + (options.fleetID.map { "/\($0)" } ?? ""), queuePerMachine: options.queuePerMachine,
            eventLoop: eventLoop, logger: logger, counters: counters, commands: commands)
        links = scenario.machines.enumerated().map { index, machine in
            MachineLink(index: index, instance: machine, topics: options.topics, environment: environment)
        }
    }

    /// Connects the fleet, runs until the duration is reached or the task is cancelled, then takes every
    /// machine offline cleanly. `status` is called about once a second with live figures.
    /// - Throws: the first connection error if the fleet cannot connect.
    public func run(status: @escaping @Sendable (FleetStatus) -> Void = { _ in }) async throws -> FleetSummary {
        let started = ContinuousClock.now
        try await connectAll()
        logger.info("fleet connected", metadata: ["machines": "\(links.count)", "seconds": "\((ContinuousClock.now - started).secondsValue)"])
        var simulators = MachineSimulator.fleet(scenario.machines, scenario: scenario)
        var commandRefusals = RefusalLog()
        for (index, link) in links.enumerated() {
            link.publishInitialState(simulators[index].state, at: simulators[index].date)
        }
        var clock = VirtualClock(speed: options.speed, start: .now)
        let limit = options.duration?.secondsValue
        var last = (status: ContinuousClock.now, published: 0, simulated: 0.0, held: Duration.zero)
        var lastPass = ContinuousClock.now
        var simulated = 0.0
        let interval = scenario.machines.map(\.kind.interface.sampleInterval.secondsValue).min() ?? 1
        var pacing = StepPacing(queueCapacity: options.queuePerMachine, shortestInterval: interval, machines: links.count)
        // When the next pass comes: a tick later, at once after a step the pacing cut short (to catch up), or soon
        // while the clock is held (the connections must not run dry waiting for a tick).
        var next = NextPass.afterTick
        // The machines whose queues pace the clock: a few spread over the fleet, not thousands of locks a step.
        let sampleStride = max(1, links.count / Self.pacingSample)
        let sample = Swift.stride(from: 0, to: links.count, by: sampleStride)
        while !Task.isCancelled {
            let now = ContinuousClock.now
            drainCommands(into: &simulators, refusals: &commandRefusals)
            if options.paced && !pacing.mayStep(queued: sample.lazy.map { self.links[$0].backlog }, machinesEach: sampleStride) {
                clock.hold(now - lastPass)
                next = .soon
            } else {
                var target = clock.simulatedSeconds(at: now)
                next = .afterTick
                // A step after a slow one covers at most `maximumStep`; the rest is caught up in the steps that follow
                // at once (each still waiting for the queues), not held back.
                if options.paced && target - simulated > pacing.maximumStep {
                    target = simulated + pacing.maximumStep
                    next = .atOnce
                }
                simulated = limit.map { min(target, $0) } ?? target
                let finalPass = limit.map { simulated >= $0 } ?? false
                var produced = 0
                for index in simulators.indices {
                    // Spread machines over the sample interval so a fleet does not publish in one burst
                    // (the last pass of a limited run takes every machine to the end).
                    let offset = finalPass ? 0 : interval * Double(index) / Double(simulators.count)
                    let events = simulators[index].advance(to: max(0, simulated - offset))
                    if !events.isEmpty {
                        produced += events.count
                        links[index].publish(events)
                    }
                }
                pacing.stepped(producing: produced)
            }
            lastPass = now
            if now - last.status >= .seconds(1) {
                let published = counters.published.load(ordering: .relaxed)
                let wall = (now - last.status).secondsValue
                status(currentStatus(simulated: simulated, rate: Double(published - last.published) / wall,
                                     speed: (simulated - last.simulated) / wall, held: (clock.held - last.held).secondsValue / wall))
                last = (now, published, simulated, clock.held)
            }
            if let limit, simulated >= limit { break }
            switch next {
            case .afterTick: try? await Task.sleep(for: options.tick)
            case .soon: try? await Task.sleep(for: options.tick / 5)
            case .atOnce: await Task.yield()
            }
        }
        let finalTime = simulators.map(\.time).max() ?? 0
        await shutdown()
        return FleetSummary(
            machines: links.count, simulatedSeconds: finalTime, wallSeconds: (ContinuousClock.now - started).secondsValue,
            published: counters.published.load(ordering: .relaxed), dropped: droppedMessages(),
            suppressedWhileOffline: counters.suppressed.load(ordering: .relaxed),
            commandsApplied: counters.commandsApplied.load(ordering: .relaxed),
            commandsRejected: counters.commandsRejected.load(ordering: .relaxed),
            reconnects: counters.reconnects.load(ordering: .relaxed), takeovers: takeovers(), heldSeconds: clock.held.secondsValue,
            refusedByBroker: counters.refusedByBroker, statesSent: counters.statesSent.load(ordering: .relaxed))
    }

    /// Connections of the fleet's clients, current and closed, that another client took over.
    func takeovers() -> Int {
        links.reduce(counters.lostTakeovers.load(ordering: .relaxed)) { $0 + ($1.client?.statistics.takeovers ?? 0) }
    }

    /// Most machines whose queues are looked at to pace the clock.
    static let pacingSample = 32

    /// When the run loop's next pass comes.
    private enum NextPass { case afterTick, soon, atOnce }

    func currentStatus(simulated: Double, rate: Double, speed: Double, held: Double) -> FleetStatus {
        FleetStatus(
            simulatedTime: scenario.start.addingTimeInterval(simulated), machines: links.count,
            online: links.filter(\.isOnline).count, messagesPerSecond: rate, speed: speed, held: held, dropped: droppedMessages(),
            commandsApplied: counters.commandsApplied.load(ordering: .relaxed),
            commandsRejected: counters.commandsRejected.load(ordering: .relaxed), refusedByBroker: counters.refusedByBroker)
    }

    /// Messages dropped by full queues, both directions, of live clients and of closed ones.
    func droppedMessages() -> Int {
        links.reduce(counters.lostClients.load(ordering: .relaxed) + counters.commandsDropped.load(ordering: .relaxed)) {
            $0 + ($1.client?.statistics.dropped ?? 0)
        }
    }

    // MARK: Connections

    private func connectAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func startNext() {
                guard next < links.count else { return }
                let link = links[next]
                next += 1
                group.addTask { try await link.connect() }
            }
            for _ in 0..<min(options.connectConcurrency, links.count) { startNext() }
            do {
                while try await group.next() != nil { startNext() }
            } catch {
                group.cancelAll()
                await shutdown()
                throw error
            }
        }
    }

    /// Every machine announces it is going offline (retained), then disconnects cleanly (no last will).
    func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for link in links {
                group.addTask { await link.goOffline(reason: "simulator stopped") }
            }
        }
    }

    // MARK: Commands

    /// Applies the commands received since the last pass. Refused ones are counted, and logged sparingly (the first ten
    /// of each reason, then every thousandth), with what came from the outside escaped.
    private func drainCommands(into simulators: inout [MachineSimulator], refusals: inout RefusalLog) {
        for (index, bytes) in commands.takeAll() {
            let path = links[index].instance.path
            do {
                let request = try JSONCodec.decodeCommand(bytes)
                if let rejection = simulators[index].handle(request) {
                    counters.commandsRejected.add(1)
                    if let count = refusals.note(request.command.rawValue) {
                        logger.warning("command refused (\(request.command.rawValue), #\(count))",
                                       metadata: ["machine": "\(path)", "command": "\(request.command.rawValue)", "reason": "\(LogText.escaped("\(rejection)"))"])
                    }
                } else {
                    counters.commandsApplied.add(1)
                    logger.info("command applied", metadata: ["machine": "\(path)", "command": "\(request.command.rawValue)"])
                }
            } catch {
                counters.commandsRejected.add(1)
                if let count = refusals.note(error.code.rawValue) {
                    logger.warning("bad command payload (\(error.code.rawValue), #\(count))",
                                   metadata: ["machine": "\(path)", "reason": "\(LogText.escaped(error.description))"])
                }
            }
        }
    }
}
