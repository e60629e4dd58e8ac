import CMalloc
import Foundation
import Logging
import Rules
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinStorage
import Twins
import TwinHubProtocol

/// The twin service: subscribes to a fleet's topics, keeps one ``Twin`` per machine, and publishes
/// retained twin snapshots and aggregates, dead letters with their reasons, commands for desired states,
/// and its own metrics. Decoding and state updates run on the service's tasks, never on libmosquitto's
/// event-loop thread. Twins are written behind to ``TwinStorage`` in batches, so ingest never waits on
/// the disk, and come back on restart.
///
/// The rules engine runs in the service, against each twin as it changes: alerts are published retained
/// on their own topics, their lifecycle events as a QoS 1 stream, and acknowledgements come in on
/// `…/alert/{rule}/ack`. A twin whose alert changed is written before the event goes out.
public final class TwinService: Sendable {
    public struct Options: Sendable {
        public var connection: ClientConfiguration
        public var topics: TopicMap
        public var kinds: [String: MachineKind]
        public var settings = TwinSettings()
        public var unknownKinds: TwinStore.UnknownKindPolicy = .generic
        public var maximumPayload = JSONCodec.defaultMaximumSize
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
        /// Where twins are kept across restarts; `nil` keeps them in memory only.
        public var storage: (any TwinStorage)?
        /// How often changed twins are written. After a `kill -9` at most this much is lost.
        public var persistInterval: Duration = .seconds(1)
        /// Alert rules per machine; `nil` runs none.
        public var rules: RuleBook?

        public init(connection: ClientConfiguration, topics: TopicMap, kinds: [String: MachineKind]) {
            self.connection = connection
            self.topics = topics
            self.kinds = kinds
        }
    }

    public let options: Options
    let logger: Logger
    let state: Mutex<State>

    struct State: Sendable {
        var store: TwinStore
        var dirty: Set<PlantPath> = []
        var lastSnapshot = PublicationTimes()
        var lastHistory = PublicationTimes()
        /// Twins whose history changed since it was last published.
        var historyDirty: Set<PlantPath> = []
        var lastCommand: [PlantPath: Date] = [:]
        var loggedRefusals: [String: Int] = [:]
        /// Twins changed since they were last written to storage (none are noted without storage).
        private(set) var unsaved: Set<PlantPath> = []
        let persisting: Bool
        /// Twins with a desired state not yet reported: the only ones a command may be due for.
        var pendingCommands: Set<PlantPath> = []
        var lastRefresh: Date?
        /// How long messages waited between the broker connection and the store, this metrics interval.
        var lag = (total: Duration.zero, count: 0, maximum: Duration.zero)
        var rules: RuleEngine
        var alertStatistics = AlertStatistics()
        /// Whether alert counts may have changed since they were last published.
        var alertCountsChanged = true
        /// The sites, areas and lines whose counts were published (zeros go out when their last alert closes).
        var publishedCounts: Set<PlantPath> = []

        mutating func noteUnsaved(_ address: PlantPath) {
            if persisting { unsaved.insert(address) }
        }

        mutating func noteUnsaved(_ addresses: some Sequence<PlantPath>) {
            if persisting { unsaved.formUnion(addresses) }
        }

        /// Takes the unsaved twins (of `only`, or all of them) to write.
        mutating func takeUnsaved(only: Set<PlantPath>?) -> Set<PlantPath> {
            guard let only else {
                defer { unsaved = [] }  // freeing its table
                return unsaved
            }
            let taken = unsaved.intersection(only)
            unsaved.subtract(taken)
            return taken
        }

        /// The twins of `pending` not published within `interval`: they leave `pending`, stamped `now`. Twins no
        /// longer in the store leave it too.
        static func due(_ pending: inout Set<PlantPath>, lastPublished: inout PublicationTimes, interval: Double,
                        now: Date, in store: TwinStore) -> [Twin] {
            var due: [Twin] = []
            var waiting: [PlantPath] = []
            for address in pending {
                guard let twin = store.twins[address] else { continue }
                if let last = lastPublished[twin.serial], now.timeIntervalSince(last) < interval {
                    waiting.append(address)
                    continue
                }
                due.append(twin)
                lastPublished[twin.serial] = now
            }
            // Built again rather than emptied one by one: a set keeps the size of its largest burst (every twin) otherwise.
            pending = Set(waiting)
            return due
        }
    }

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
        state = Mutex(State(store: TwinStore(kinds: options.kinds, settings: options.settings,
                                             unknownKinds: options.unknownKinds, maximumPayload: options.maximumPayload),
                            persisting: options.storage != nil, rules: RuleEngine(book: options.rules ?? RuleBook(kinds: [:]))))
    }

    /// The store now (a copy), for tests and metrics.
    public var store: TwinStore { state.withLock { $0.store } }

    /// The store's counters now: cheap, unlike ``store`` (a copy of a store that changes next is a full copy).
    public var statistics: TwinStore.Statistics { state.withLock { $0.store.statistics } }

    /// Connects and serves until the task is cancelled.
    public func run(ready: @escaping @Sendable () -> Void = {}) async throws {
        var restoredEvents: [AlertEvent] = []
        if let storage = options.storage {
            let loaded = try await storage.loadAll()
            let (twins, unreadable) = (loaded.twins, loaded.unreadable)
            for id in unreadable { logger.error("stored twin \(id) cannot be read; it starts afresh") }
            restoredEvents = state.withLock { state in
                state.store.restore(twins.map(\.record))
                state.dirty.formUnion(twins.map(\.record.address))
                var events: [AlertEvent] = []
                for twin in twins {
                    guard let saved = twin.rules, let restored = state.store.twins[twin.record.address] else { continue }
                    let closed = state.rules.restore(saved, for: restored, kind: twin.record.kind, wall: Date())
                    if !closed.isEmpty { state.noteUnsaved(twin.record.address) }
                    events += closed
                }
                return events
            }
            logger.info("restored \(twins.count) twins from storage")
        }
        let client = try MQTTClient(options.connection, logger: logger)
        let topics = options.topics
        let channels: [TopicMap.Channel] = [.status, .state, .counters, .telemetry, .desired]
        var filters = channels.map(topics.filter)
        if options.rules != nil { filters.append(topics.alertAcknowledgementFilter) }
        // Nothing may be lost between the broker and the twins: a backlog pauses reading instead of dropping.
        let messages = try await client.subscribe(to: filters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity, whenFull: .pauseReading)
        try await client.connect()
        logger.info("twin service serving", metadata: ["root": "\(topics.root)", "kinds": "\(options.kinds.count)",
                                                       "rules": "\(options.rules?.ruleCount ?? 0)"])
        republishAlerts(client: client)
        publish(restoredEvents, client: client)
        ready()
        defer { logger.info("twin service stopping") }
        do {
            try await serve(messages: messages, client: client)
        } catch is CancellationError {
            // Stopping is the normal way out.
        }
        // On a task of its own: this one is cancelled, and GRDB's async write refuses to start in a cancelled task.
        await Task { await persist() }.value
        await client.disconnect()
    }

    /// Writes the twins changed since the last write (or only those of `only`). The twins (copy-on-write values) and
    /// their rule memories are taken under the lock; records, encoding and the disk happen outside it, on the
    /// caller's task.
    func persist(only: Set<PlantPath>? = nil) async {
        guard let storage = options.storage else { return }
        let taken = state.withLock { state -> [(Twin, MachineRules.Saved?)] in
            return state.takeUnsaved(only: only).compactMap { address in
                state.store.twins[address].map { ($0, state.rules.saved($0)) }
            }
        }
        let twins = taken.map { twin, rules in StoredTwin(record: twin.record, rules: rules) }
        do {
            for id in try await storage.save(twins) {
                logger.error("twin \(id) cannot be encoded for storage; it is skipped until it changes")
            }
        } catch {
            logger.error("cannot store \(twins.count) twins: \(error); they are written again with the next batch")
            state.withLock { $0.noteUnsaved(twins.map(\.record.address)) }
        }
    }

    private func serve(messages: MQTTSubscription, client: MQTTClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await message in messages { await ingest(message, client: client) }
            }
            if options.storage != nil {
                group.addTask { [self] in
                    while !Task.isCancelled {
                        try await Task.sleep(for: options.persistInterval)
                        await persist()
                    }
                }
            }
            group.addTask { [self] in
                var lastAggregate = ContinuousClock.now
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(250))
                    let aggregates = ContinuousClock.now - lastAggregate >= options.aggregateInterval
                    if aggregates { lastAggregate = .now }
                    await tick(now: Date(), aggregates: aggregates, client: client)
                    if aggregates { releaseFreeMemory() }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    func ingest(_ message: MQTTMessage, client: MQTTClient) async {
        guard let address = options.topics.machineTopic(of: message.topic) else {
            if let alert = options.topics.alertTopic(of: message.topic), alert.isAcknowledgement {
                await acknowledge(alert.alert, message: message, client: client)
            }
            return
        }
        let machine = address.machine
        let now = Date()
        let waited = message.receivedAt.map { ContinuousClock.now - $0 }
        // Decoding needs no shared state: it runs outside the lock.
        let decoded = Result { () throws(PayloadError) in
            try JSONCodec.decodeMachineMessage(message.payload, channel: address.channel, maximumSize: options.maximumPayload)
        }
        let (letters, command, logLines, events) = state.withLock { state -> ([TwinStore.DeadLetter], MachineCommandRequest?, [String], [AlertEvent]) in
            if let waited {
                state.lag.total += waited
                state.lag.count += 1
                state.lag.maximum = max(state.lag.maximum, waited)
            }
            let letters: [TwinStore.DeadLetter]
            let versionBefore = state.store.twins[machine]?.version
            var events: [AlertEvent] = []
            switch decoded {
            case .success(let decoded):
                letters = state.store.apply(decoded, address: machine, received: now)
                if let twin = state.store.twins[machine], twin.version != versionBefore {
                    for trigger in RuleTrigger.triggers(for: decoded) { events += state.rules.evaluate(twin, trigger: trigger, wall: now) }
                    state.noteAlertEvents(events)
                }
            case .failure(let error): letters = state.store.refuse(decoding: error)
            }
            var command: MachineCommandRequest?
            if let twin = state.store.twins[machine] {
                state.dirty.insert(machine)
                state.noteUnsaved(machine)
                if address.channel == .telemetry { state.historyDirty.insert(machine) }
                if twin.desiredState != nil { state.pendingCommands.insert(machine) }
                if address.channel == .desired, let pending = twin.command {
                    command = pending
                    state.lastCommand[machine] = now
                }
            }
            var lines: [String] = []
            for letter in letters {
                let count = state.loggedRefusals[letter.reason, default: 0] + 1
                state.loggedRefusals[letter.reason] = count
                // Rate-limited: the first ten of each reason, then every thousandth.
                if count <= 10 || count % 1000 == 0 { lines.append("refused (\(letter.reason), #\(count)) on \(message.topic): \(letter.detail)") }
            }
            return (letters, command, lines, events)
        }
        for line in logLines { logger.warning("\(line)") }
        if !events.isEmpty {
            await persist(only: [machine])
            publish(events, client: client)
        }
        for letter in letters {
            send(client, options.topics.deadLetter(reason: letter.reason),
                 JSONCodec.deadLetter(topic: message.topic, reason: letter.reason, detail: letter.detail, payload: message.payload, time: now),
                 qos: .atMostOnce, retain: false)
        }
        if let command { sendCommand(command, to: machine, client: client) }
    }

    /// Hands the memory malloc holds free back to the system. glibc keeps freed memory in the arena of the thread
    /// that took it, and the service's threads pass messages to each other: without this, resident memory stays
    /// well above what is in use (at 10,000 twins 127–167 MB against about 51 MB of heap, BENCHMARKS.md). It takes
    /// about half a millisecond when done this often; after a burst that freed a lot, some tens of milliseconds.
    func releaseFreeMemory() {
        let start = ContinuousClock.now
        let released = twinhub_release_free_memory() == 1
        logger.debug("released free memory to the system: \(released) (\(ContinuousClock.now - start))")
    }

    func tick(now: Date, aggregates: Bool, client: MQTTClient) async {
        let interval = options.snapshotInterval.secondsValue
        let historyInterval = options.historyInterval.secondsValue
        let retry = options.commandRetry.secondsValue
        // Under the lock only copies are taken (twins are values with copy-on-write storage);
        // encoding happens after it is released.
        // Outside the lock: the allocator walks its free lists to count.
        let heapBytes = aggregates ? Int(twinhub_heap_bytes_in_use()) : 0
        let (snapshotTwins, historyTwins, commands, sums, metrics, events, counts) = state.withLock { state in
            var events: [AlertEvent] = []
            if state.lastRefresh.map({ now.timeIntervalSince($0) >= 1 }) ?? true {
                state.store.refresh(now: now)
                state.lastRefresh = now
                events = state.rules.evaluateClock(state.store.twins, wall: now)
                state.noteAlertEvents(events)
                // Written before their events go out, like every other alert change.
                state.noteUnsaved(events.map(\.alert.address))
            }
            let snapshotTwins = State.due(&state.dirty, lastPublished: &state.lastSnapshot, interval: interval, now: now, in: state.store)
            let historyTwins = State.due(&state.historyDirty, lastPublished: &state.lastHistory, interval: historyInterval, now: now, in: state.store)
            var commands: [(PlantPath, MachineCommandRequest)] = []
            for address in state.pendingCommands {
                guard let twin = state.store.twins[address], let command = twin.command else {
                    state.pendingCommands.remove(address)
                    continue
                }
                // Only to a machine that can hear it; an offline one gets it once it is back.
                guard twin.connectivity.status == .online else { continue }
                if let last = state.lastCommand[address], now.timeIntervalSince(last) < retry { continue }
                commands.append((address, command))
                state.lastCommand[address] = now
            }
            var sums: [(PlantPath, TwinStore.Aggregate)] = []
            var metrics: [UInt8]?
            if aggregates {
                sums = state.store.aggregates().map { ($0.key, $0.value) }
                metrics = Self.metrics(state, now: now, dropped: client.statistics.deliveryDropped, heapBytes: heapBytes)
                state.lag = (.zero, 0, .zero)
            }
            return (snapshotTwins, historyTwins, commands, sums, metrics, events, state.takeAlertCounts())
        }
        if !events.isEmpty {
            await persist(only: Set(events.map(\.alert.address)))
            publish(events, client: client)
        }
        for (key, count) in counts {
            send(client, options.topics.alertCounts(key), JSONCodec.alertCounts(key, count),
                 qos: .atLeastOnce, retain: true)
        }
        for twin in snapshotTwins {
            send(client, options.topics.topic(.twin, for: twin.address), JSONCodec.twin(twin), qos: .atLeastOnce, retain: true)
        }
        for twin in historyTwins {
            send(client, options.topics.topic(.history, for: twin.address), JSONCodec.history(twin), qos: .atLeastOnce, retain: true)
        }
        for (address, command) in commands { sendCommand(command, to: address, client: client) }
        for (key, sum) in sums {
            send(client, options.topics.aggregate(key),
                 JSONCodec.kpi(key, machines: sum.machines, shift: sum.shift, window: sum.window), qos: .atLeastOnce, retain: true)
        }
        if let metrics {
            send(client, options.topics.serviceMetrics, metrics, qos: .atLeastOnce, retain: true)
            logger.info("twin service: \(String(decoding: metrics, as: UTF8.self))")
        }
    }

    private func sendCommand(_ command: MachineCommandRequest, to address: PlantPath, client: MQTTClient) {
        logger.info("sending \(command.command.rawValue) to \(address) for its desired state")
        send(client, options.topics.topic(.cmd, for: address), JSONCodec.command(command), qos: .atLeastOnce, retain: false)
    }

    func send(_ client: MQTTClient, _ topic: String, _ payload: [UInt8], qos: QoS, retain: Bool) {
        do {
            try client.send(PublishRequest(topic: topic, payload: payload, qos: qos, retain: retain))
        } catch {
            logger.warning("cannot publish on \(topic): \(error)")
        }
    }

    /// The service's metrics: messages in, decode errors and refusals by reason, dead letters, twins by connectivity.
    static func metrics(_ state: State, now: Date, dropped: Int, heapBytes: Int) -> [UInt8] {
        let store = state.store, lag = state.lag
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(now))
        writer.field("messages_in", integer: store.statistics.messagesIn)
        writer.key("decode_errors")
        writer.open()
        for (code, count) in store.statistics.decodeErrors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { writer.field(code.rawValue, integer: count) }
        writer.close()
        writer.key("refusals")
        writer.open()
        var refusals = store.statistics.otherRefusals
        for (reason, count) in store.statistics.refusals { refusals[reason.rawValue, default: 0] += count }
        for (reason, count) in refusals.sorted(by: { $0.key < $1.key }) { writer.field(reason, integer: count) }
        writer.close()
        writer.field("dead_letters", integer: store.statistics.deadLetters)
        writer.field("unknown_kind", integer: store.statistics.unknownKind)
        writer.field("dropped", integer: dropped)
        // Time from libmosquitto's delivery to the store, over the last interval.
        writer.key("lag_ms")
        writer.open()
        let mean = lag.count > 0 ? lag.total.secondsValue / Double(lag.count) : 0
        writer.field("mean", number: (mean * 1e6).rounded() / 1e3)
        writer.field("max", number: (lag.maximum.secondsValue * 1e6).rounded() / 1e3)
        writer.close()
        writer.field("twins", integer: store.twins.count)
        // The allocator's bytes in use (glibc): what the process's resident memory would be without freed memory kept.
        writer.field("heap_bytes", integer: heapBytes)
        var byStatus: [Connectivity.Status: Int] = [:]
        for twin in store.twins.values { byStatus[twin.connectivity.status, default: 0] += 1 }
        for status in [Connectivity.Status.online, .offline, .stale, .unknown] { writer.field(status.rawValue, integer: byStatus[status] ?? 0) }
        writer.key("alerts")
        writer.open()
        let open = state.rules.alerts
        writer.field("open", integer: open.count)
        writer.field("active", integer: open.filter(\.isActive).count)
        writer.field("events", integer: state.alertStatistics.events)
        writer.field("acknowledged", integer: state.alertStatistics.acknowledged)
        writer.field("acknowledgements_refused", integer: state.alertStatistics.acknowledgementsRefused)
        writer.field("rule_evaluations", integer: state.rules.evaluations)
        writer.close()
        writer.close()
        return writer.bytes
    }
}
