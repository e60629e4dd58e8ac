import Foundation
import Rules
@testable import TwinService
import TwinModel
import Twins

/// The twin service without its MQTT connection: its state (``TwinService/State``) fed messages and clock ticks in
/// the order `TwinService.ingest`, `acknowledge` and `tick` handle them, with the service's own encoders and
/// helpers (`TwinPayloads`, `AlertPayloads`, `State.due`, `takeAlertCounts`, `TwinService.metrics`). What the service
/// would publish is kept in ``published``, the commands it would send in ``commands``.
///
/// The sequence is copied from `TwinService` (which does it between a lock and a broker connection); once the
/// service's decisions are a pure `handle(event) -> [action]` core, this harness should call that instead.
struct ServiceHarness {
    /// A message the service published (or would have).
    struct Publication: Sendable {
        var topic: String
        var schema: MessageSchema
        var payload: [UInt8]
    }

    let topics: TopicMap
    var state: TwinService.State
    private(set) var published: [Publication] = []
    /// Commands sent to machines, in order.
    private(set) var commands: [(address: MachineAddress, payload: [UInt8])] = []

    init(root: String, kinds: [String: MachineKind], rules: RuleBook?, settings: TwinSettings = .init(),
         unknownKinds: TwinStore.UnknownKindPolicy = .generic) throws {
        topics = try TopicMap(root: root)
        state = TwinService.State(store: TwinStore(kinds: kinds, settings: settings, unknownKinds: unknownKinds), persisting: false,
                                  rules: RuleEngine(book: rules ?? RuleBook(kinds: [:])))
    }

    /// The payloads published and not taken yet with `schema` (not the empty ones that clear a closed alert's retained
    /// topic).
    func payloads(_ schema: MessageSchema) -> [[UInt8]] {
        published.filter { $0.schema == schema && !$0.payload.isEmpty }.map(\.payload)
    }

    /// Takes what was published so far.
    mutating func takePublished() -> [Publication] {
        defer { published = [] }
        return published
    }

    /// Takes the commands sent so far.
    mutating func takeCommands() -> [(address: MachineAddress, payload: [UInt8])] {
        defer { commands = [] }
        return commands
    }

    /// A message on `topic`, received at `now`: a machine's (as `TwinService.ingest`) or an acknowledgement (as
    /// `TwinService.acknowledge`).
    mutating func receive(_ payload: [UInt8], on topic: String, at now: Date) {
        guard let address = topics.address(of: topic) else {
            if let alert = topics.alertAddress(of: topic), alert.isAcknowledgement { acknowledge(alert, payload: payload, topic: topic, at: now) }
            return
        }
        let machine = MachineAddress(site: address.site, area: address.area, line: address.line, machine: address.machine)
        let decoded = Result { () throws(PayloadError) in
            try TwinStore.decode(payload, channel: address.channel, maximumSize: state.store.maximumPayload)
        }
        var letters: [TwinStore.DeadLetter]
        var events: [AlertEvent] = []
        switch decoded {
        case .success(let decoded):
            let versionBefore = state.store.twins[machine]?.version
            letters = state.store.apply(decoded, address: machine, received: now)
            if let twin = state.store.twins[machine], twin.version != versionBefore {
                for trigger in RuleTrigger.triggers(for: decoded) { events += state.rules.evaluate(twin, trigger: trigger, wall: now) }
                state.noteAlertEvents(events)
            }
        case .failure(let error):
            letters = state.store.refuse(decoding: error)
        }
        var command: MachineCommandRequest?
        if let twin = state.store.twins[machine] {
            state.dirty.insert(machine)
            if address.channel == .telemetry { state.historyDirty.insert(machine) }
            if twin.desiredState != nil { state.pendingCommands.insert(machine) }
            if address.channel == .desired, let pending = twin.command {
                command = pending
                state.lastCommand[machine] = now
            }
        }
        publish(events, at: now)
        for letter in letters { deadLetter(topic: topic, reason: letter.reason, detail: letter.detail, payload: payload, at: now) }
        if let command { commands.append((machine, JSONPayloads.command(command))) }
    }

    private mutating func acknowledge(_ target: TopicMap.AlertAddress, payload: [UInt8], topic: String, at now: Date) {
        let address = MachineAddress(site: target.site, area: target.area, line: target.line, machine: target.machine)
        let acknowledgement: JSONPayloads.Acknowledgement
        do {
            acknowledgement = try JSONPayloads.decodeAcknowledgement(payload)
        } catch {
            state.alertStatistics.acknowledgementsRefused += 1
            deadLetter(topic: topic, reason: error.code.rawValue, detail: error.reason, payload: payload, at: now)
            return
        }
        do throws(AlertError) {
            guard let twin = state.store.twins[address] else { throw AlertError(.unknownAlert, "no open alert \(address)/\(target.rule)") }
            let time = twin.kpi.accountedTime ?? twin.machineTime ?? now
            let events = try state.rules.acknowledge(twin, rule: target.rule, by: acknowledgement.by, comment: acknowledgement.comment, at: time)
            state.alertStatistics.acknowledged += 1
            state.noteAlertEvents(events)
            publish(events, at: now)
        } catch {
            state.alertStatistics.acknowledgementsRefused += 1
            deadLetter(topic: topic, reason: error.code.rawValue, detail: error.reason, payload: payload, at: now)
        }
    }

    /// The service's clock at `now`, as `TwinService.tick` with aggregates due: rules on the clock, alert counts,
    /// snapshots and histories due, commands due, aggregate KPIs and metrics.
    mutating func tick(at now: Date) {
        state.store.refresh(now: now)
        let events = state.rules.evaluateClock(state.store.twins, wall: now)
        state.noteAlertEvents(events)
        publish(events, at: now)
        for (key, counts) in state.takeAlertCounts() {
            publication(topics.alertCounts(site: key.site, area: key.area, line: key.line), .alertCounts, AlertPayloads.counts(key, counts))
        }
        for twin in TwinService.State.due(&state.dirty, lastPublished: &state.lastSnapshot, interval: 1, now: now, in: state.store) {
            publication(topics.topic(.twin, for: path(twin.address)), .twin, TwinPayloads.snapshot(twin))
        }
        for twin in TwinService.State.due(&state.historyDirty, lastPublished: &state.lastHistory, interval: 10, now: now, in: state.store) {
            publication(topics.topic(.history, for: path(twin.address)), .history, TwinPayloads.history(twin))
        }
        for address in state.pendingCommands.sorted(by: { $0.description < $1.description }) {
            guard let twin = state.store.twins[address], let command = twin.command else {
                state.pendingCommands.remove(address)
                continue
            }
            guard twin.connectivity.status == .online else { continue }
            if let last = state.lastCommand[address], now.timeIntervalSince(last) < 5 { continue }
            commands.append((address, JSONPayloads.command(command)))
            state.lastCommand[address] = now
        }
        for (key, sum) in state.store.aggregates().sorted(by: { "\($0.key)" < "\($1.key)" }) {
            publication(topics.aggregate(site: key.site, area: key.area, line: key.line), .kpi,
                        TwinPayloads.aggregate(key, machines: sum.machines, shift: sum.shift, window: sum.window))
        }
        publication(topics.serviceMetrics, .metrics, TwinService.metrics(state, now: now, dropped: 0, heapBytes: 48_000_000))
        state.lag = (.zero, 0, .zero)
    }

    /// Events in order, each on the event stream and its alert on the alert's retained topic (empty once closed).
    private mutating func publish(_ events: [AlertEvent], at now: Date) {
        for event in events {
            publication(topics.alertEvents, .alertEvent, AlertPayloads.event(event, time: now))
            let topic = topics.alert(rule: event.alert.rule, for: path(event.alert.address))
            publication(topic, .alert, event.alert.status == .closed ? [] : AlertPayloads.alert(event.alert))
        }
    }

    private mutating func deadLetter(topic: String, reason: String, detail: String, payload: [UInt8], at now: Date) {
        publication(topics.deadLetter(reason: reason), .deadLetter,
                    TwinPayloads.deadLetter(topic: topic, reason: reason, detail: detail, payload: payload, time: now))
    }

    private mutating func publication(_ topic: String, _ schema: MessageSchema, _ payload: [UInt8]) {
        published.append(Publication(topic: topic, schema: schema, payload: payload))
    }

    private func path(_ address: MachineAddress) -> EquipmentPath {
        EquipmentPath(enterprise: topics.root, site: address.site, area: address.area, line: address.line, machine: address.machine)
    }
}
