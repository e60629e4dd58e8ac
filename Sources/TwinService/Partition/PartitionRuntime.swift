import Foundation
import Logging
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinPartition
import TwinServiceCore
import TwinStorage
import TwinHubProtocol

/// The I/O of a partitioned instance: lease rounds against the shared store every third of a lease, and for each line
/// it holds a subscription of its own, whose messages go to the core like any other. The decisions are
/// ``LeaseTable``'s (what to take, renew, hand over, give up) and the core's (when a handed-over line's twins are
/// written); this performs them in order:
///
/// - **take** a line: its lease, then its twins from storage (``TwinServiceCore/Event/adopted(_:lines:at:)``), then
///   its topics: its retained messages apply on top of the stored twins.
/// - **hand over** a line: unsubscribe, apply what was received, write its twins, then release the lease.
/// - **lose** a line (the table gives it to another, or a renewal did not come back before the lease's local deadline):
///   stop serving it at once.
///
/// Lines are learnt from every machine's `status` topic (retained, so every machine that is online or went offline is
/// found at once), which every instance subscribes to; they go into the shared catalogue (the lease table), so every
/// instance weighs the same lines.
final class PartitionRuntime: Sendable {
    let settings: TwinService.Partitioning
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// Units held, with the local deadline by which the lease must be renewed: when its last renewal was sent, by
        /// the local clock, plus its duration less ``deadlineMargin`` (so before the database's expiry).
        var held: [String: ContinuousClock.Instant] = [:]
        /// Units being handed over (unsubscribed; their twins being written).
        var handing: Set<String> = []
        /// Each held line's subscription and its consumer.
        var feeds: [String: Feed] = [:]
        /// Units seen and not yet in the catalogue.
        var discovered: Set<String> = [PartitionUnit.aggregatesName]
        /// Units in the catalogue.
        var known: Set<String> = []
        /// Whether the last round failed (logged once per outage).
        var failing = false
    }

    private struct Feed {
        let subscription: MQTTSubscription
        let consumer: Task<Void, Never>
    }

    init(_ settings: TwinService.Partitioning, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The filters every instance subscribes to, to learn of lines: every machine's status.
    static func discoveryFilters(_ topics: TopicMap) -> [String] { [topics.filter(.status)] }

    /// The filters of a held line.
    static func filters(of line: PlantPath, topics: TopicMap, rules: Bool) -> [String] {
        let channels: [TopicMap.Channel] = [.status, .state, .counters, .telemetry, .desired]
        return channels.map { topics.filter($0, under: line) } + (rules ? [topics.alertAcknowledgementFilter(under: line)] : [])
    }

    /// Notes the line of a message on the discovery subscription (its status goes to the core through the line's own).
    func discover(_ message: MQTTMessage, topics: TopicMap) {
        guard let address = topics.machineTopic(of: message.topic), let unit = PartitionUnit(machine: address.machine) else { return }
        let name = unit.name
        state.withLock { state in
            if !state.known.contains(name) { state.discovered.insert(name) }
        }
    }

    /// Whether the instance holds the aggregates' lease now.
    var holdsAggregates: Bool {
        state.withLock { $0.held[PartitionUnit.aggregatesName] != nil && !$0.handing.contains(PartitionUnit.aggregatesName) }
    }

    /// Lease rounds until cancelled; the aggregates published meanwhile while this instance holds their lease.
    func run(_ service: TwinService, outlet: TwinService.Outlet) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                while !Task.isCancelled {
                    await round(service, outlet: outlet)
                    try await Task.sleep(for: settings.terms.renewalInterval)
                }
            }
            group.addTask { [self] in try await watchDeadlines(service, outlet: outlet) }
            group.addTask { [self] in
                var actions: [TwinServiceCore.Action] = []
                while !Task.isCancelled {
                    try await Task.sleep(for: service.options.aggregateInterval)
                    guard holdsAggregates, let storage = service.options.storage else { continue }
                    do {
                        let loaded = try await storage.loadAll()
                        service.handle(.plantFigures(loaded.twins, at: Date()), &actions, outlet)
                    } catch {
                        logger.warning("cannot read the twins for the plant's aggregates: \(error)")
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// One lease round: heartbeat and catalogue, then what the table says.
    private func round(_ service: TwinService, outlet: TwinService.Outlet) async {
        let (leases, instance, terms) = (settings.leases, settings.instance, settings.terms)
        let started = ContinuousClock.now
        let (held, discovered) = state.withLock { (Set($0.held.keys), $0.discovered) }
        do {
            let table = try await leases.leaseRound(instance: instance, terms: terms, discovered: discovered.sorted())
            state.withLock { state in
                state.known.formUnion(table.leases.keys)  // those added by others too
                state.discovered.subtract(discovered)
            }
            let plan = table.plan(for: instance, holding: held)
            lose(plan.lost, service: service, outlet: outlet, why: "the table gives it to another")
            let renewed = try await leases.renew(plan.renew, for: instance, terms: terms)
            lose(Array(Set(plan.renew).subtracting(renewed)), service: service, outlet: outlet, why: "its renewal was refused")
            state.withLock { state in
                for unit in renewed where state.held[unit] != nil { state.held[unit] = started + terms.duration - deadlineMargin }
            }
            for unit in plan.handOver { handOver(unit, service: service, outlet: outlet) }
            let acquired = try await leases.acquire(plan.acquire, for: instance, terms: terms)
            state.withLock { state in
                for unit in acquired { state.held[unit] = started + terms.duration - deadlineMargin }
            }
            await adopt(acquired, service: service, outlet: outlet)
            if state.withLock({ $0.failing }) { logger.notice("lease rounds work again") }
            state.withLock { $0.failing = false }
        } catch {
            if Task.isCancelled { return }  // the service stops: not a failure of the database
            if !state.withLock({ $0.failing }) {
                logger.warning("lease round failed: \(error); lines held are served until their leases lapse")
            }
            state.withLock { $0.failing = true }
        }
    }

    /// Gives up the units whose local deadline has passed, checked often enough that the database's expiry (later by
    /// the request's time and ``deadlineMargin``) is not reached meanwhile.
    private func watchDeadlines(_ service: TwinService, outlet: TwinService.Outlet) async throws {
        let interval = min(.milliseconds(250), settings.terms.renewalInterval / 10)
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let now = ContinuousClock.now
            let lapsed = state.withLock { state in state.held.filter { $0.value <= now }.map(\.key) }
            lose(lapsed, service: service, outlet: outlet, why: "its lease was not renewed in time")
        }
    }

    /// How much earlier than the database's expiry an instance stops serving a unit it could not renew: a tenth of a
    /// lease, at most a second (the deadline watch's period and a clock's drift over a lease fit in it).
    private var deadlineMargin: Duration { min(.seconds(1), settings.terms.duration / 10) }

    /// Takes `units` just acquired: their twins from storage, then their topics.
    private func adopt(_ units: [String], service: TwinService, outlet: TwinService.Outlet) async {
        guard !units.isEmpty else { return }
        let lines = units.compactMap { PartitionUnit(name: $0)?.line }
        if units.contains(PartitionUnit.aggregatesName) { logger.info("this instance publishes the plant's aggregates") }
        guard !lines.isEmpty, let storage = service.options.storage else { return }
        let loaded: LoadedTwins
        do {
            loaded = try await storage.load(under: lines)
        } catch {
            logger.warning("cannot load the twins of \(lines.count) lines taken: \(error); their leases are given back")
            let names = lines.map(\.description)
            state.withLock { state in for name in names { state.held[name] = nil } }
            try? await settings.leases.release(names, for: settings.instance)
            return
        }
        for id in loaded.unreadable { logger.error("stored twin \(LogText.escaped(id)) cannot be read; it starts afresh") }
        var actions: [TwinServiceCore.Action] = []
        service.handle(.adopted(loaded.twins, lines: lines, at: Date()), &actions, outlet)
        let (topics, rules) = (service.options.topics, service.options.rules != nil)
        for line in lines {
            do {
                let subscription = try await outlet.client.subscribe(to: Self.filters(of: line, topics: topics, rules: rules), qos: .atLeastOnce,
                                                                     bufferCapacity: service.options.bufferCapacity, whenFull: .pauseReading)
                let consumer = Task {
                    var actions: [TwinServiceCore.Action] = []
                    for await message in subscription {
                        guard let event = service.event(of: message) else { continue }
                        service.handle(event, &actions, outlet)
                    }
                }
                state.withLock { $0.feeds[line.description] = Feed(subscription: subscription, consumer: consumer) }
            } catch {
                logger.error("cannot subscribe to the line \(line): \(error)")
            }
        }
        logger.info("took \(lines.count) lines (\(loaded.twins.count) twins): \(lines.map(\.description).joined(separator: ", "))")
    }

    /// Starts handing `unit` over: its topics unsubscribed and what they brought applied, then its twins written; the
    /// core's ``TwinServiceCore/Action/handedOver(_:)`` releases it.
    private func handOver(_ unit: String, service: TwinService, outlet: TwinService.Outlet) {
        let (started, feed) = state.withLock { state -> (Bool, Feed?) in
            guard state.handing.insert(unit).inserted else { return (false, nil) }
            return (true, state.feeds.removeValue(forKey: unit))
        }
        guard started else { return }  // already being handed over
        Task {
            if let feed {
                feed.subscription.cancel()
                await feed.consumer.value
            }
            guard let line = PartitionUnit(name: unit)?.line else {
                await released([unit])
                return
            }
            var actions: [TwinServiceCore.Action] = []
            service.handle(.handOver([line]), &actions, outlet)
        }
    }

    /// The core says these lines' twins are written and gone: their leases are released.
    func handedOver(_ lines: [PlantPath]) {
        Task { await released(lines.map(\.description)) }
    }

    private func released(_ units: [String]) async {
        state.withLock { state in
            for unit in units {
                state.held[unit] = nil
                state.handing.remove(unit)
            }
        }
        do {
            try await settings.leases.release(units, for: settings.instance)
            logger.info("handed over \(units.joined(separator: ", "))")
        } catch {
            logger.warning("cannot release \(units.joined(separator: ", ")): \(error); the leases lapse instead")
        }
    }

    /// Stops serving `units` at once: another instance may hold them already.
    private func lose(_ units: [String], service: TwinService, outlet: TwinService.Outlet, why: String) {
        guard !units.isEmpty else { return }
        let feeds = state.withLock { state in
            units.compactMap { unit -> Feed? in
                state.held[unit] = nil
                state.handing.remove(unit)
                return state.feeds.removeValue(forKey: unit)
            }
        }
        for feed in feeds {
            feed.subscription.cancel()
            feed.consumer.cancel()
        }
        logger.warning("gave up \(units.sorted().joined(separator: ", ")): \(why)")
        var actions: [TwinServiceCore.Action] = []
        service.handle(.dropped(units.compactMap { PartitionUnit(name: $0)?.line }), &actions, outlet)
    }

    /// The service stops: every line's subscription ends, and what it brought is applied (the caller then writes the
    /// twins and ``leave()``s).
    func stopFeeds() async {
        let feeds = state.withLock { state in
            defer { state.feeds = [:] }
            return Array(state.feeds.values)
        }
        for feed in feeds { feed.subscription.cancel() }
        for feed in feeds { await feed.consumer.value }
    }

    /// Releases every lease and the heartbeat, once the twins are written: the others take the lines at their next round.
    func leave() async {
        let (settings, logger) = (settings, logger)
        // On a task of its own: stopping is a cancellation of the caller's, and the release must still be made.
        await Task {
            do {
                try await settings.leases.leave(instance: settings.instance)
                logger.info("instance \(LogText.escaped(settings.instance)) left: its leases are released")
            } catch {
                logger.warning("cannot release the leases of \(LogText.escaped(settings.instance)): \(error); they lapse instead")
            }
        }.value
    }
}
