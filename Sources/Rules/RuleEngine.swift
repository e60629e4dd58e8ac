import Foundation
import TwinModel
import Twins

/// The rules of every twin and their alerts. Pure: the twin service feeds it twins after each change and
/// the clock every second, and publishes the events it returns.
public struct RuleEngine: Sendable {
    public let book: RuleBook
    public private(set) var machines: [MachineAddress: MachineRules] = [:]
    /// Saved memories of machines whose rules are not built yet (restored before their twin came back).
    private var restored: [MachineAddress: MachineRules.Saved] = [:]
    /// Rule sets by kind and the overrides that apply: one per combination, shared by its machines.
    private var sets: [RuleSetKey: MachineRules.RuleSet] = [:]

    private struct RuleSetKey: Hashable {
        var kind: String
        var overrides: [Int]
    }

    public init(book: RuleBook) {
        self.book = book
    }

    /// Runs the rules of `twin` that `trigger` concerns. A twin without a kind has no rules.
    public mutating func evaluate(_ twin: Twin, trigger: RuleTrigger, wall: Date) -> [AlertEvent] {
        guard let kind = twin.kind else { return [] }
        var events: [AlertEvent] = []
        if machines.index(forKey: twin.address).map({ machines.values[$0].kind }) != kind.id {
            events = build(twin.address, kind: kind.id, wall: wall)
        }
        events += machines[twin.address]!.evaluate(twin, trigger: trigger, wall: wall)
        return events
    }

    /// Runs the clock-driven rules of every twin in `twins`.
    public mutating func evaluateClock(_ twins: [MachineAddress: Twin], wall: Date) -> [AlertEvent] {
        var events: [AlertEvent] = []
        // By index, in place: iterating `machines` would hold a second reference to it (and to each machine's
        // memories), and every evaluation would copy them.
        var index = machines.startIndex
        while index != machines.endIndex {
            if machines.values[index].hasClockRules, let twin = twins[machines.keys[index]] {
                events += machines.values[index].evaluate(twin, trigger: .clock, wall: wall)
            }
            machines.formIndex(after: &index)
        }
        return events
    }

    /// Acknowledges an alert by its id (`{site}/{area}/{line}/{machine}/{rule}`).
    public mutating func acknowledge(_ address: MachineAddress, rule: String, by person: String, comment: String,
                                     at time: Date) throws(AlertError) -> [AlertEvent] {
        guard machines[address] != nil else { throw AlertError(.unknownAlert, "no open alert \(address)/\(rule)") }
        return try machines[address]!.acknowledge(rule: rule, by: person, comment: comment, at: time)
    }

    /// Every alert not yet closed.
    public var alerts: [Alert] { machines.values.flatMap(\.alerts) }

    /// How many rules ran in all (incremental evaluation runs only those a change concerns).
    public var evaluations: Int { machines.values.reduce(0) { $0 + $1.evaluations } }

    /// Counts of open alerts per site, area and line.
    public func counts() -> [AggregateKey: AlertCounts] {
        var counts: [AggregateKey: AlertCounts] = [:]
        for alert in alerts {
            let a = alert.address
            for key in [AggregateKey(site: a.site), AggregateKey(site: a.site, area: a.area), AggregateKey(site: a.site, area: a.area, line: a.line)] {
                counts[key, default: AlertCounts()].add(alert)
            }
        }
        return counts
    }

    // MARK: Persistence

    /// The memories of a twin's rules, for storage with the twin.
    public func saved(_ address: MachineAddress) -> MachineRules.Saved? {
        machines[address]?.saved ?? restored[address]
    }

    /// Takes back a twin's saved memories (at start-up, before anything is evaluated).
    /// - Returns: events for alerts whose rule no longer applies (closed).
    public mutating func restore(_ saved: MachineRules.Saved, for address: MachineAddress, kind: String?, wall: Date) -> [AlertEvent] {
        restored[address] = saved
        guard let kind else { return [] }
        return build(address, kind: kind, wall: wall)
    }

    /// Builds a twin's rules from the book, with its restored memories if any.
    private mutating func build(_ address: MachineAddress, kind: String, wall: Date) -> [AlertEvent] {
        let key = RuleSetKey(kind: kind, overrides: book.overrides(kind: kind, site: address.site, area: address.area, line: address.line,
                                                                   machine: address.machine))
        let set = sets[key] ?? MachineRules.RuleSet(book.rules(kind: kind, site: address.site, area: address.area, line: address.line,
                                                               machine: address.machine))
        sets[key] = set
        var machine = MachineRules(address: address, kind: kind, set: set)
        var closed: [AlertEvent] = []
        if let saved = restored.removeValue(forKey: address) {
            let time = saved.values.compactMap { $0.alert?.lastSeen }.max() ?? wall
            closed = machine.restore(saved, at: time)
        }
        machines[address] = machine
        return closed
    }
}

/// Open alerts of a site, area or line.
public struct AlertCounts: Sendable, Equatable {
    /// Active alerts (acknowledged or not).
    public var active = 0
    /// Alerts waiting for an acknowledgement (active or cleared).
    public var unacknowledged = 0
    /// Active alerts by severity.
    public var bySeverity: [Severity: Int] = [:]

    public init() {}

    mutating func add(_ alert: Alert) {
        if alert.isActive {
            active += 1
            bySeverity[alert.severity, default: 0] += 1
        }
        if alert.status == .activeUnacknowledged || alert.status == .clearedUnacknowledged { unacknowledged += 1 }
    }
}
