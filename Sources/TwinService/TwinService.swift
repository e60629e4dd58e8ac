import Foundation
import Logging
import Rules
import SparkplugB
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinServiceCore
import TwinStorage
import Twins
import TwinHubProtocol

/// The twin service: subscribes to a fleet's topics, keeps one ``Twin`` per machine, and publishes
/// retained twin snapshots and aggregates, dead letters with their reasons, commands for desired states,
/// and its own metrics. The decisions are ``TwinServiceCore``'s; this is its runtime: it decodes messages into the
/// core's events (on the service's tasks, never on libmosquitto's event-loop thread), performs the actions the core
/// returns, runs the clocks, and writes the twins behind to ``TwinStorage`` on tasks of their own, so ingest never
/// waits on the disk. Twins come back from storage on restart.
///
/// The rules engine runs in the core, against each twin as it changes: alerts are published retained
/// on their own topics, their lifecycle events as a QoS 1 stream, and acknowledgements come in on
/// `…/alert/{rule}/ack`. An alert event goes out once the twin it changed is stored; the messages behind it do not wait.
public final class TwinService: Sendable {
    public struct Options: Sendable {
        public var connection: ClientConfiguration
        public var topics: TopicMap
        /// The interface of each kind the twins are typed by.
        public var kinds: [String: MachineInterface]
        public var settings = TwinSettings()
        public var unknownKinds: TwinStore.UnknownKindPolicy = .generic
        public var maximumPayload = JSONCodec.defaultMaximumSize
        /// The most twins kept; messages of further new machines are refused (`too_many_twins`).
        public var maximumTwins = TwinStore.defaultMaximumTwins
        /// At most one snapshot per twin per interval (the latest state wins).
        public var snapshotInterval: Duration = .seconds(1)
        /// How often aggregates and metrics are published.
        public var aggregateInterval: Duration = .seconds(5)
        /// At most one history per twin per interval (histories are larger and change in every sample).
        public var historyInterval: Duration = .seconds(10)
        /// How often a command for a desired state is sent again while the machine has not complied.
        public var commandRetry: Duration = .seconds(5)
        /// Messages buffered between the broker connection and the service.
        public var bufferCapacity = 100_000
        /// From this many messages waiting for the core, a machine's older telemetry still waiting is shed for its newer
        /// one (counted as `shed` in the metrics); `nil` never sheds, and the broker holds what the service cannot take.
        /// Not with partitioning (its lines' messages go to the core as they come).
        public var sheddingDepth: Int? = 2_000
        /// Where twins are kept across restarts; `nil` keeps them in memory only.
        public var storage: (any TwinStorage)?
        /// How often changed twins are written. After a `kill -9` at most this much is lost.
        public var persistInterval: Duration = .seconds(1)
        /// Alert rules per machine; `nil` runs none.
        public var rules: RuleBook?
        /// Be a Sparkplug B primary host with this id (STATE, `spBv1.0/#`, twins from births), besides the JSON topics.
        public var sparkplug: HostSession.Configuration?
        /// Set to share the plant with other instances: this one serves only the lines it holds a lease on. Needs a
        /// ``storage`` shared by the instances.
        public var partitioning: Partitioning?

        public init(connection: ClientConfiguration, topics: TopicMap, kinds: [String: MachineInterface]) {
            self.connection = connection
            self.topics = topics
            self.kinds = kinds
        }
    }

    public let options: Options
    let logger: Logger
    /// The decisions. Its lock is held to hand it an event, and to perform the few actions whose order matters.
    let core: Mutex<TwinServiceCore>
    /// The Sparkplug host, when the service is one. Its lock is held to hand it a message and to send what it returns,
    /// so its publications keep their order.
    let sparkplug: SparkplugHost?
    /// Machine messages taken from the subscription ahead of the core while it is behind, for shedding.
    let inbox: Inbox

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
        var configuration = TwinServiceCore.Configuration()
        configuration.snapshotInterval = options.snapshotInterval
        configuration.historyInterval = options.historyInterval
        configuration.commandRetry = options.commandRetry
        configuration.storing = options.storage != nil
        configuration.publishesAggregates = options.partitioning == nil
        let store = TwinStore(kinds: options.kinds, settings: options.settings, unknownKinds: options.unknownKinds,
                              maximumPayload: options.maximumPayload, maximumTwins: options.maximumTwins)
        core = Mutex(TwinServiceCore(store: store, rules: options.rules, configuration: configuration))
        sparkplug = options.sparkplug.map { SparkplugHost(SparkplugIngest(configuration: $0)) }
        inbox = Inbox(sheddingDepth: options.sheddingDepth)
    }

    /// The store now (a copy), for tests and metrics.
    public var store: TwinStore { core.withLock { $0.store } }

    /// The store's counters now: cheap, unlike ``store`` (a copy of a store that changes next is a full copy).
    public var statistics: TwinStore.Statistics { core.withLock { $0.store.statistics } }

    /// Connects and serves until the task is cancelled; then writes what is unsaved and disconnects.
    public func run(ready: @escaping @Sendable () -> Void = {}) async throws {
        var restored: [StoredTwin] = []
        let partition = options.partitioning.map { PartitionRuntime($0, logger: logger) }
        if let storage = options.storage, partition == nil {
            let loaded = try await storage.loadAll()
            for id in loaded.unreadable { logger.error("stored twin \(LogText.escaped(id)) cannot be read; it starts afresh") }
            restored = loaded.twins
            logger.info("restored \(restored.count) twins from storage")
        }
        let client = try MQTTClient(sparkplugConnection(options.connection), logger: logger)
        let topics = options.topics
        let channels: [TopicMap.Channel] = [.status, .state, .counters, .telemetry, .desired]
        var filters = channels.map(topics.filter)
        if options.rules != nil { filters.append(topics.alertAcknowledgementFilter) }
        if partition != nil { filters = PartitionRuntime.discoveryFilters(topics) }  // each line's own come with its lease
        // Nothing may be lost between the broker and the twins: a backlog pauses reading instead of dropping.
        let messages = try await client.subscribe(to: filters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity, whenFull: .pauseReading)
        // A clean stop ends the reading, not the subscriptions: with a persistent session (--session-expiry) the broker
        // queues what comes while the service restarts.
        messages.keepAtBrokerWhenEnded()
        let sparkplugMessages = try await subscribeSparkplug(client)
        try await client.connect()
        logger.info("twin service serving", metadata: ["root": "\(topics.root)", "kinds": "\(options.kinds.count)",
                                                       "rules": "\(options.rules?.ruleCount ?? 0)"])
        let outlet = makeOutlet(client: client, partition: partition)
        var actions: [TwinServiceCore.Action] = []
        handle(.restored(restored, at: Date()), &actions, outlet)
        ready()
        defer { logger.info("twin service stopping") }
        var failure: (any Error)?
        do {
            try await serve(messages: messages, sparkplugMessages: sparkplugMessages, outlet: outlet)
        } catch is CancellationError {
            // Stopping is the normal way out.
        } catch {
            failure = error
        }
        await partition?.stopFeeds()
        for message in inbox.takeRemaining() {
            if let event = event(of: message) { handle(event, &actions, outlet) }
        }
        handle(.stopping, &actions, outlet)
        await outlet.flushed.wait()
        sparkplugStopping(client)
        await partition?.leave()
        await client.disconnect()
        if let failure { throw failure }
    }

    private func serve(messages: MQTTSubscription, sparkplugMessages: MQTTSubscription?, outlet: Outlet) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let sparkplugMessages {
                group.addTask { [self] in
                    var actions: [TwinServiceCore.Action] = []
                    for await message in sparkplugMessages { sparkplugReceived(message, &actions, outlet) }
                }
            }
            if options.sheddingDepth == nil || outlet.partition != nil {
                group.addTask { [self] in
                    var actions: [TwinServiceCore.Action] = []
                    for await message in messages {
                        if let partition = outlet.partition {
                            partition.discover(message, topics: options.topics)
                            continue
                        }
                        guard let event = event(of: message) else { continue }
                        handle(event, &actions, outlet)
                    }
                }
            } else {
                // One task, no hand-over: before each message it takes in what the subscription has buffered already,
                // so that a backlog sits in the inbox, which sheds stale telemetry; with none, a message goes straight on.
                group.addTask { [self] in
                    var actions: [TwinServiceCore.Action] = []
                    var iterator = messages.makeAsyncIterator()
                    while true {
                        if inbox.count == 0 {
                            guard let message = await iterator.next() else { break }
                            inbox.add(message, telemetry: options.topics.isTelemetryTopic(message.topic))
                        }
                        while messages.bufferedCount > 0, inbox.count < options.bufferCapacity, let message = await iterator.next() {
                            inbox.add(message, telemetry: options.topics.isTelemetryTopic(message.topic))
                        }
                        guard let message = inbox.popFirst() else { continue }
                        guard let event = event(of: message) else { continue }
                        handle(event, &actions, outlet)
                    }
                }
            }
            if options.storage != nil {
                group.addTask { [self] in
                    var actions: [TwinServiceCore.Action] = []
                    while !Task.isCancelled {
                        try await Task.sleep(for: options.persistInterval)
                        handle(.writeDue, &actions, outlet)
                    }
                }
            }
            group.addTask { [self] in
                var actions: [TwinServiceCore.Action] = []
                // Due at the first tick: a console finds the service by its retained metrics as soon as it runs.
                var lastAggregate = ContinuousClock.now - options.aggregateInterval
                while !Task.isCancelled {
                    try await Task.sleep(for: tickInterval)
                    let aggregates = ContinuousClock.now - lastAggregate >= options.aggregateInterval
                    if aggregates { lastAggregate = .now }
                    let figures = aggregates ? runtimeFigures(outlet.client) : nil
                    handle(.tick(TwinServiceCore.Tick(now: Date(), metrics: figures)), &actions, outlet)
                    sparkplugTick(&actions, outlet)
                    if aggregates { releaseFreeMemory() }
                }
            }
            if let partition = outlet.partition {
                group.addTask { [self] in try await partition.run(self, outlet: outlet) }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// How often the clock ticks: every 250 ms, or twice a snapshot interval when that is shorter (a service asked for
    /// snapshots every 100 ms would otherwise send them in bursts every 250 ms), at most every 10 ms.
    var tickInterval: Duration { max(.milliseconds(10), min(.milliseconds(250), options.snapshotInterval / 2)) }

    /// Hands `event` to the core and performs what it returns. Alert publications and batches are performed before
    /// the lock is released, so they leave in the core's order whichever task handed its event in (they are few and
    /// quick to hand over); the rest after. `actions` is a buffer the caller keeps, emptied here.
    func handle(_ event: TwinServiceCore.Event, _ actions: inout [TwinServiceCore.Action], _ outlet: Outlet) {
        core.withLock { core in
            core.handle(event, into: &actions)
            for action in actions where Self.isOrdered(action) { perform(action, outlet) }
        }
        guard !actions.isEmpty else { return }
        // Taken out one by one, so each twin is let go once its snapshot is encoded: a twin still held here when
        // the next message for it comes in is copied whole (copy on write).
        actions.reverse()
        while let action = actions.popLast() {
            if !Self.isOrdered(action) { perform(action, outlet) }
        }
        // A tick's burst (a snapshot of every twin) would otherwise keep its buffer's size for good.
        if actions.capacity > Self.keptActionCapacity { actions = [] }
    }

    /// The most actions a task's buffer keeps room for between two events.
    static let keptActionCapacity = 64

    private static func isOrdered(_ action: TwinServiceCore.Action) -> Bool {
        switch action {
        case .persist, .flushed, .handedOver, .publish(.alert), .publish(.alertEvent): true
        case .publish, .log: false
        }
    }

    func perform(_ action: TwinServiceCore.Action, _ outlet: Outlet) {
        switch action {
        case .publish(let publication): publish(publication, client: outlet.client)
        case .persist(let batch): outlet.write(batch, for: self)
        case .flushed: outlet.flushed.raise()
        case .handedOver(let lines): outlet.partition?.handedOver(lines)
        case .log(let line):
            switch line.level {
            case .info: logger.info("\(LogText.escaped(line.message))")
            case .warning: logger.warning("\(LogText.escaped(line.message))")
            case .error: logger.error("\(LogText.escaped(line.message))")
            }
        }
    }

    private func publish(_ publication: TwinServiceCore.Publication, client: MQTTClient) {
        if case .command(let machine, let request) = publication, sendSparkplugCommand(request, to: machine, client: client) { return }
        let message = encode(publication)
        do {
            try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain))
        } catch {
            logger.warning("cannot publish on \(LogText.escaped(message.topic)): \(error)")
        }
        if case .metrics = publication { logger.info("twin service: \(String(decoding: message.payload, as: UTF8.self))") }
    }
}
