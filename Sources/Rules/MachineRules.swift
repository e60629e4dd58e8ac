import RuleLanguage
import Foundation
import TwinModel
import Twins

/// What made a twin's rules worth running again.
public enum RuleTrigger: Sendable {
    /// New readings of these properties (a name may repeat).
    case telemetry([String])
    /// A new state.
    case state
    /// New production counters (KPIs moved).
    case counters
    /// Time passed, or connectivity changed: the rules that depend on the clock.
    case clock

    /// Which rules a decoded message concerns.
    public static func triggers(for decoded: TwinStore.Decoded) -> [RuleTrigger] {
        switch decoded {
        case .telemetry(let telemetry): [.telemetry(telemetry.sample.values.map(\.property))]
        case .state: [.state]
        case .counters: [.counters]
        // Offline changes the state too (to `offline`), and connectivity is the clock rules' business.
        case .status: [.state, .clock]
        case .desired, .ignored: []
        }
    }
}

/// The rules of one twin with their memories. Evaluation is incremental: a trigger runs only the rules
/// that read what changed.
public struct MachineRules: Sendable {
    /// A list of rules with the indexes that say which of them a change concerns. Immutable, so every machine of
    /// a kind with the same overrides shares one (rule specs are large; thousands of twins need not copy them).
    public final class RuleSet: Sendable {
        /// The kind whose rules they are.
        public let kind: String
        public let rules: [RuleSpec]
        let byProperty: [String: [Int]]
        let onState: [Int]
        let onCounters: [Int]
        let onClock: [Int]

        public init(kind: String, _ rules: [RuleSpec]) {
            self.kind = kind
            self.rules = rules
            var byProperty: [String: [Int]] = [:]
            var onState: [Int] = [], onCounters: [Int] = [], onClock: [Int] = []
            for (index, rule) in rules.enumerated() {
                for property in rule.properties { byProperty[property, default: []].append(index) }
                if rule.readsState || rule.states != nil { onState.append(index) }
                if rule.readsKPIs { onCounters.append(index) }
                if rule.readsClock { onClock.append(index) }
            }
            self.byProperty = byProperty
            self.onState = onState
            self.onCounters = onCounters
            self.onClock = onClock
        }
    }

    public let address: PlantPath
    public let ruleSet: RuleSet
    public var kind: String { ruleSet.kind }
    public private(set) var memories: [RuleMemory]
    /// Rules evaluated so far (for tests and metrics of the incremental evaluation).
    public private(set) var evaluations = 0

    /// The memories of a twin's rules, by rule id, for storage.
    public typealias Saved = [String: RuleMemory]

    public var rules: [RuleSpec] { ruleSet.rules }
    private var byProperty: [String: [Int]] { ruleSet.byProperty }
    private var onState: [Int] { ruleSet.onState }
    private var onCounters: [Int] { ruleSet.onCounters }
    private var onClock: [Int] { ruleSet.onClock }

    public init(address: PlantPath, kind: String, rules: [RuleSpec]) {
        self.init(address: address, set: RuleSet(kind: kind, rules))
    }

    /// The rules of `set` (shared with other machines) for the machine at `address`, with fresh memories.
    public init(address: PlantPath, set: RuleSet) {
        self.address = address
        ruleSet = set
        memories = Array(repeating: RuleMemory(), count: set.rules.count)
    }

    /// Whether any rule moves with time alone.
    public var hasClockRules: Bool { !onClock.isEmpty }

    /// Every alert not yet closed.
    public var alerts: [Alert] { memories.compactMap(\.alert) }

    /// Runs the rules `trigger` concerns against `twin`; `wall` is the service's clock.
    public mutating func evaluate(_ twin: Twin, trigger: RuleTrigger, wall: Date) -> [AlertEvent] {
        let clock = RuleClock(twin, wall: wall)
        let indices: [Int]
        switch trigger {
        case .telemetry(let properties):
            if properties.count == 1, let only = properties.first {
                indices = byProperty[only] ?? []
            } else if rules.count <= UInt64.bitWidth {
                // Once per message: the rules of all the readings, each once and in order, without a set.
                var concerned: UInt64 = 0
                for property in properties {
                    for index in byProperty[property] ?? [] { concerned |= 1 << UInt64(index) }
                }
                var events: [AlertEvent] = []
                while concerned != 0 {
                    run(concerned.trailingZeroBitCount, twin: twin, clock: clock, into: &events)
                    concerned &= concerned - 1
                }
                return events
            } else {
                var set = Set<Int>()
                for property in properties { set.formUnion(byProperty[property] ?? []) }
                indices = set.sorted()
            }
        case .state:
            for index in onState { ConditionEvaluator.noteState(twin, memory: &memories[index], clock: clock) }
            indices = onState
        case .counters: indices = onCounters
        case .clock: indices = onClock
        }
        var events: [AlertEvent] = []
        for index in indices { run(index, twin: twin, clock: clock, into: &events) }
        return events
    }

    /// Acknowledges the alert of `rule`.
    public mutating func acknowledge(rule id: String, by person: String, comment: String, at time: Date) throws(AlertError) -> [AlertEvent] {
        guard let index = rules.firstIndex(where: { $0.id == id }), var alert = memories[index].alert else {
            throw AlertError(.unknownAlert, "no open alert \(address)/\(id)")
        }
        let kinds = try alert.acknowledge(by: person, at: time, comment: comment)
        memories[index].alert = alert.status == .closed ? nil : alert
        return kinds.map { AlertEvent(kind: $0, alert: alert) }
    }

    // MARK: Persistence

    public var saved: Saved {
        Dictionary(uniqueKeysWithValues: zip(rules.map(\.id), memories))
    }

    /// Closes every alert still open, at the time it was last seen: the rules are being dropped (their twin changed
    /// kind, or their place went to another twin).
    func retiringAlerts() -> [AlertEvent] {
        memories.compactMap(\.alert).flatMap { open in
            var alert = open
            return alert.retire(at: open.lastSeen).map { AlertEvent(kind: $0, alert: alert) }
        }
    }

    /// Takes back saved memories. Alerts of rules that no longer apply are closed.
    public mutating func restore(_ saved: Saved, at time: Date) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for (id, memory) in saved {
            if let index = rules.firstIndex(where: { $0.id == id }) {
                memories[index] = memory
            } else if var alert = memory.alert {
                for kind in alert.retire(at: time) { events.append(AlertEvent(kind: kind, alert: alert)) }
            }
        }
        return events
    }

    // MARK: One rule

    private mutating func run(_ index: Int, twin: Twin, clock: RuleClock, into events: inout [AlertEvent]) {
        let rule = rules[index]
        if let states = rule.states, !states.contains(twin.state) {
            // Paused: the alert holds, and waits start again when the rule resumes.
            memories[index].pendingSince = nil
            memories[index].clearingSince = nil
            return
        }
        evaluations += 1
        // Taken out of the array rather than copied, so that its boxed timers stay uniquely held and change in place.
        var memory = RuleMemory()
        swap(&memory, &memories[index])
        defer { swap(&memory, &memories[index]) }
        let active = memory.alert?.isActive == true
        let current = active ? memory.alert?.severity : nil
        guard let observation = ConditionEvaluator.observe(rule, twin: twin, memory: &memory, clock: clock, current: current) else { return }
        var candidate = observation.severity

        if let repetition = rule.repetition {
            let holds = candidate != nil
            if holds && !memory.wasTrue { memory.occurrences.append(clock.machine) }
            memory.wasTrue = holds
            memory.occurrences.removeAll { clock.machine.timeIntervalSince($0) >= repetition.within.secondsValue }
            if memory.occurrences.count >= repetition.count {
                if candidate == nil, active { candidate = current }
            } else if !active {
                candidate = nil
            }
        }
        if active, candidate == nil, let clear = rule.clear {
            // An explicit clear condition: the alert holds until it is true.
            if clear.evaluate({ ConditionEvaluator.lookup($0, twin) }) != .boolean(true) { candidate = current }
        }

        guard active else {
            guard let severity = candidate else {
                memory.pendingSince = nil
                return
            }
            guard Self.waited(rule.holdFor, since: &memory.pendingSince, now: clock.machine) else { return }
            memory.pendingSince = nil
            memory.clearingSince = nil
            let explanation = explain(rule, observation)
            let message = render(rule, observation, twin: twin, severity: severity)
            if var alert = memory.alert {
                // A latched alert, cleared but not acknowledged: the same alert again.
                for kind in alert.activate(severity: severity, at: clock.machine) {
                    alert.message = message
                    if kind == .raised { alert.raisedMessage = message }
                    alert.renderedAt = clock.wall
                    alert.explanation = explanation
                    events.append(AlertEvent(kind: kind, alert: alert))
                }
                memory.alert = alert
            } else {
                var alert = Alert(address: address, kind: kind, rule: rule, severity: severity, at: clock.machine, message: message, explanation: explanation)
                alert.renderedAt = clock.wall
                memory.alert = alert
                events.append(AlertEvent(kind: .raised, alert: alert))
            }
            return
        }

        guard var alert = memory.alert else { return }
        if let severity = candidate {
            memory.clearingSince = nil
            let previous = alert.severity
            var kinds = alert.activate(severity: severity, at: clock.machine)
            let due = alert.renderedAt.map { clock.wall.timeIntervalSince($0) >= Alert.refreshInterval } ?? true
            if !kinds.isEmpty || due {
                // The message follows the values: at once with a new severity, else at most every refresh interval.
                let message = render(rule, observation, twin: twin, severity: severity), explanation = explain(rule, observation)
                if kinds.isEmpty && (message != alert.message || explanation != alert.explanation) { kinds = [.updated] }
                alert.message = message
                alert.renderedAt = clock.wall
                alert.explanation = explanation
            }
            for kind in kinds {
                events.append(AlertEvent(kind: kind, alert: alert, previousSeverity: kind == .updated ? nil : previous))
            }
            memory.alert = alert
            return
        }
        guard Self.waited(rule.clearFor, since: &memory.clearingSince, now: clock.machine) else { return }
        memory.clearingSince = nil
        alert.explanation = explain(rule, observation)
        for kind in alert.clear(at: clock.machine) { events.append(AlertEvent(kind: kind, alert: alert)) }
        memory.alert = alert.status == .closed ? nil : alert
        if rule.repetition != nil { memory.occurrences.removeAll() }
    }

    /// Whether something that holds now has held for `duration` (none: at once); starts the wait if needed. A wait
    /// begun on a clock ahead of `now` (carried on the wall clock while the machine was silent) starts again now.
    private static func waited(_ duration: Duration?, since: inout Date?, now: Date) -> Bool {
        guard let duration else { return true }
        let start = min(since ?? now, now)
        since = start
        return now.timeIntervalSince(start) >= duration.secondsValue
    }

    private func explain(_ rule: RuleSpec, _ observation: Observation) -> AlertExplanation {
        // Non-finite figures (no predicted crossing) are left out: they cannot be stored or published as JSON.
        AlertExplanation(condition: rule.summary, description: rule.description, values: observation.values.filter { $0.value.isFinite },
                         measure: observation.measure.flatMap { $0.isFinite ? $0 : nil }, threshold: observation.threshold)
    }

    /// The message of a prediction whose limit is reached: what it predicted has happened.
    static let reachedMessage = try! MessageTemplate.parse("{property} reached {limit} {unit}, as predicted (now {value} {unit}, {trend})",
                                                               placeholders: ["property", "limit", "unit", "value", "trend"])

    private func render(_ rule: RuleSpec, _ observation: Observation, twin: Twin, severity: Severity) -> String {
        let texts = observation.texts()
        return (observation.fulfilled ? Self.reachedMessage : rule.message).render { name in
            if let text = texts[name] { return text }
            switch name {
            case "machine": return address.machine ?? ""
            case "site": return address.site
            case "area": return address.area ?? ""
            case "line": return address.line ?? ""
            case "kind": return kind
            case "rule": return rule.id
            case "name": return rule.name
            case "severity": return severity.rawValue
            case "state": return twin.state.rawValue
            default:
                guard let value = ConditionEvaluator.freshValue(name, in: twin) else { return nil }
                return ConditionEvaluator.Quantity(name, of: twin).format(value)
            }
        }
    }
}
