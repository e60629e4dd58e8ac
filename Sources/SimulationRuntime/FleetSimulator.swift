import Foundation
import Logging
import Simulation
import SparkplugB
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// Runs a scenario against a broker: every machine gets its own MQTT connection with a last will on its
/// `status` topic (as a real fleet has), publishes what its simulator produces, and obeys commands on
/// its `cmd` topic. All connections share MQTT event loops: no thread per machine. With Sparkplug B, each line (or
/// machine) is an edge node with a connection of its own, its machines its devices (``EdgeNodeLink``); with both,
/// every value goes out both ways.
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
        /// JSON (the default), Sparkplug B, or both.
        public var fleetProtocol: FleetProtocol = .json
        /// Where the machines sit in the Sparkplug namespace, when the fleet speaks it.
        public var sparkplug = SparkplugFleetOptions()

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
    /// One per machine, in the scenario's order, when the fleet speaks JSON; each reports to the fleet only through
    /// ``counters`` and ``commands``.
    let links: [MachineLink]
    /// The Sparkplug edge nodes, when the fleet speaks Sparkplug B, and the node of each machine (by index).
    let edgeNodes: [EdgeNodeLink]
    let edgeNodeOfMachine: [Int]
    let counters: FleetCounters
    /// Commands the links received, for the run loop's next pass.
    let commands: CommandInbox

    /// - Throws: ``SparkplugError`` when the fleet speaks Sparkplug B and a site, area, line or machine cannot be a
    ///   Sparkplug id (an area with `:`, a level with `+` or `#`).
    public init(scenario: Scenario, options: Options, eventLoop: MQTTEventLoop = .shared, logger: Logger) throws(SparkplugError) {
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
        links = options.fleetProtocol.speaksJSON ? scenario.machines.enumerated().map { index, machine in
            MachineLink(index: index, instance: machine, topics: options.topics, environment: environment)
        } : []
        guard options.fleetProtocol.speaksSparkplug else {
            edgeNodes = []
            edgeNodeOfMachine = []
            return
        }
        var nodes: [EdgeNodeDescriptor: [(index: Int, instance: MachineInstance)]] = [:]
        var order: [EdgeNodeDescriptor] = []
        for (index, machine) in scenario.machines.enumerated() {
            let node = try options.sparkplug.node(of: machine.path)
            if nodes[node] == nil { order.append(node) }
            nodes[node, default: []].append((index, machine))
        }
        var edgeNodes: [EdgeNodeLink] = []
        var nodeOfMachine = Array(repeating: 0, count: scenario.machines.count)
        for node in order {
            let machines = nodes[node] ?? []
            for machine in machines { nodeOfMachine[machine.index] = edgeNodes.count }
            edgeNodes.append(try EdgeNodeLink(node: node, machines: machines, primaryHostID: options.sparkplug.primaryHostID,
                                              start: scenario.start, countsStates: links.isEmpty, environment: environment))
        }
        self.edgeNodes = edgeNodes
        edgeNodeOfMachine = nodeOfMachine
    }

    /// Connects the fleet, runs until the duration is reached or the task is cancelled, then takes every
    /// machine offline cleanly. `status` is called about once a second with live figures.
    /// - Throws: the first connection error if the fleet cannot connect.
    public func run(status: @escaping @Sendable (FleetStatus) -> Void = { _ in }) async throws -> FleetSummary {
        let started = ContinuousClock.now
        var simulators = MachineSimulator.fleet(scenario.machines, scenario: scenario)
        for index in simulators.indices where !edgeNodes.isEmpty {
            edgeNodes[edgeNodeOfMachine[index]].register(machine: index, initial: Self.initialState(of: simulators[index]))
        }
        try await connectAll()
        logger.info("fleet connected", metadata: ["machines": "\(machineCount)", "edge nodes": "\(edgeNodes.count)",
                                                  "seconds": "\((ContinuousClock.now - started).secondsValue)"])
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
        var pacing = StepPacing(queueCapacity: options.queuePerMachine, shortestInterval: interval, machines: machineCount)
        // When the next pass comes: a tick later, at once after a step the pacing cut short (to catch up), or soon
        // while the clock is held (the connections must not run dry waiting for a tick).
        var next = NextPass.afterTick
        // The machines whose queues pace the clock: a few spread over the fleet, not thousands of locks a step.
        let sampleStride = max(1, machineCount / Self.pacingSample)
        let sample = Swift.stride(from: 0, to: machineCount, by: sampleStride)
        while !Task.isCancelled {
            let now = ContinuousClock.now
            drainCommands(into: &simulators, refusals: &commandRefusals)
            if options.paced && !pacing.mayStep(queued: sample.lazy.map { self.backlog(of: $0) }, machinesEach: sampleStride) {
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
                        if !links.isEmpty { links[index].publish(events) }
                        if !edgeNodes.isEmpty { edgeNodes[edgeNodeOfMachine[index]].publish(events, machine: index) }
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
            machines: machineCount, simulatedSeconds: finalTime, wallSeconds: (ContinuousClock.now - started).secondsValue,
            published: counters.published.load(ordering: .relaxed), dropped: droppedMessages(),
            suppressedWhileOffline: counters.suppressed.load(ordering: .relaxed),
            commandsApplied: counters.commandsApplied.load(ordering: .relaxed),
            commandsRejected: counters.commandsRejected.load(ordering: .relaxed),
            reconnects: counters.reconnects.load(ordering: .relaxed), takeovers: takeovers(), heldSeconds: clock.held.secondsValue,
            refusedByBroker: counters.refusedByBroker, statesSent: counters.statesSent.load(ordering: .relaxed))
    }

    /// Connections of the fleet's clients, current and closed, that another client took over.
    func takeovers() -> Int {
        let machines = links.reduce(counters.lostTakeovers.load(ordering: .relaxed)) { $0 + ($1.client?.statistics.takeovers ?? 0) }
        return edgeNodes.reduce(machines) { $0 + ($1.client?.statistics.takeovers ?? 0) }
    }

    /// The machines simulated.
    var machineCount: Int { scenario.machines.count }

    /// Messages waiting to leave for machine `index`: its own connection's, or its share of its edge node's.
    private func backlog(of index: Int) -> Int {
        max(links.isEmpty ? 0 : links[index].backlog, edgeNodes.isEmpty ? 0 : edgeNodes[edgeNodeOfMachine[index]].backlogPerMachine)
    }

    /// A machine's state at the start, as the state change a birth carries.
    private static func initialState(of simulator: MachineSimulator) -> StateChange {
        StateChange(time: simulator.date, sequence: 0, state: simulator.state, previous: simulator.state, reason: "simulator started")
    }

    /// Most machines whose queues are looked at to pace the clock.
    static let pacingSample = 32

    /// When the run loop's next pass comes.
    private enum NextPass { case afterTick, soon, atOnce }

    func currentStatus(simulated: Double, rate: Double, speed: Double, held: Double) -> FleetStatus {
        FleetStatus(
            simulatedTime: scenario.start.addingTimeInterval(simulated), machines: machineCount,
            online: links.isEmpty ? edgeNodes.reduce(0) { $0 + $1.onlineDevices } : links.filter(\.isOnline).count, messagesPerSecond: rate, speed: speed, held: held, dropped: droppedMessages(),
            commandsApplied: counters.commandsApplied.load(ordering: .relaxed),
            commandsRejected: counters.commandsRejected.load(ordering: .relaxed), refusedByBroker: counters.refusedByBroker)
    }

    /// Messages dropped by full queues, both directions, of live clients and of closed ones.
    func droppedMessages() -> Int {
        let machines = links.reduce(counters.lostClients.load(ordering: .relaxed) + counters.commandsDropped.load(ordering: .relaxed)) {
            $0 + ($1.client?.statistics.dropped ?? 0)
        }
        return edgeNodes.reduce(machines) { $0 + ($1.client?.statistics.dropped ?? 0) }
    }

    // MARK: Connections

    private func connectAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let connects: [@Sendable () async throws -> Void] = links.map { link in { @Sendable in try await link.connect() } }
                + edgeNodes.map { node in { @Sendable in try await node.connect() } }
            var next = 0
            func startNext() {
                guard next < connects.count else { return }
                let connect = connects[next]
                next += 1
                group.addTask { try await connect() }
            }
            for _ in 0..<min(options.connectConcurrency, connects.count) { startNext() }
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
            for node in edgeNodes {
                group.addTask { await node.shutdown() }
            }
        }
    }

    // MARK: Commands

    /// Applies the commands received since the last pass. Refused ones are counted, and logged sparingly (the first ten
    /// of each reason, then every thousandth), with what came from the outside escaped.
    private func drainCommands(into simulators: inout [MachineSimulator], refusals: inout RefusalLog) {
        for (index, command) in commands.takeAll() {
            let path = scenario.machines[index].path
            do {
                let request: MachineCommandRequest
                switch command {
                case .payload(let bytes): request = try JSONCodec.decodeCommand(bytes)
                case .request(let decoded): request = decoded
                }
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
