import RuleLanguage
import Foundation
import TwinModel
import Twins

/// The rules of every twin and their alerts. Pure: the twin service feeds it twins after each change and
/// the clock every second, and publishes the events it returns.
public struct RuleEngine: Sendable {
    public let book: RuleBook
    /// Each twin's rules at the twin's ``Twin/serial``: a table by serial rather than a hash table by address, which
    /// cost more memory than the rules themselves. A place holds the rules of the twin whose address they carry; a
    /// twin that finds another's there (its store reused the serial) gets its own, and the other's open alerts close.
    private var machines: [MachineRules?] = []
    /// Saved memories of machines whose rules are not built yet (restored before their twin came back).
    private var restored: [PlantPath: MachineRules.Saved] = [:]
    /// Rule sets by kind and the overrides that apply: one per combination, shared by its machines.
    private var sets: [RuleSetKey: MachineRules.RuleSet] = [:]

    private struct RuleSetKey: Hashable {
        var kind: String
        var overrides: [Int]
    }

    public init(book: RuleBook) {
        self.book = book
    }

    /// Runs the rules of `twin` that `trigger` concerns. A twin without a kind has no rules. The twins of one engine
    /// come from one ``TwinStore``, whose serials tell them apart.
    public mutating func evaluate(_ twin: Twin, trigger: RuleTrigger, wall: Date) -> [AlertEvent] {
        guard let kind = twin.kind else { return [] }
        var events: [AlertEvent] = []
        if !hasRules(twin) || machines[twin.serial]!.kind != kind.id {
            events = build(twin, kind: kind.id, wall: wall)
        }
        events += machines[twin.serial]!.evaluate(twin, trigger: trigger, wall: wall)
        return events
    }

    /// Runs the clock-driven rules of every twin in `twins`.
    public mutating func evaluateClock(_ twins: [PlantPath: Twin], wall: Date) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for twin in twins.values where hasRules(twin) && machines[twin.serial]!.hasClockRules {
            events += machines[twin.serial]!.evaluate(twin, trigger: .clock, wall: wall)
        }
        return events
    }

    /// Whether `twin`'s place holds its rules. (Read in place: a copy of them taken out of the table would make the
    /// change that follows copy their memories.)
    private func hasRules(_ twin: Twin) -> Bool {
        twin.serial < machines.count && machines[twin.serial]?.address == twin.address
    }

    /// Acknowledges the alert of `rule` of `twin`.
    public mutating func acknowledge(_ twin: Twin, rule: String, by person: String, comment: String,
                                     at time: Date) throws(AlertError) -> [AlertEvent] {
        guard hasRules(twin) else { throw AlertError(.unknownAlert, "no open alert \(twin.address)/\(rule)") }
        return try machines[twin.serial]!.acknowledge(rule: rule, by: person, comment: comment, at: time)
    }

    /// Every alert not yet closed.
    public var alerts: [Alert] { machines.flatMap { $0?.alerts ?? [] } }

    /// How many rules ran in all (incremental evaluation runs only those a change concerns).
    public var evaluations: Int { machines.reduce(0) { $0 + ($1?.evaluations ?? 0) } }

    /// Counts of open alerts per site, area and line.
    public func counts() -> [PlantPath: AlertCounts] {
        AlertCounts.tally(alerts)
    }

    // MARK: Persistence

    /// The memories of a twin's rules, for storage with the twin.
    public func saved(_ twin: Twin) -> MachineRules.Saved? {
        hasRules(twin) ? machines[twin.serial]!.saved : restored[twin.address]
    }

    /// Takes back the saved memories of `twin`'s rules, stored when its kind was `kind` (at start-up, once the store
    /// has the twin back and before anything is evaluated).
    /// - Returns: events for alerts whose rule no longer applies (closed).
    public mutating func restore(_ saved: MachineRules.Saved, for twin: Twin, kind: String?, wall: Date) -> [AlertEvent] {
        restored[twin.address] = saved
        guard let kind else { return [] }
        return build(twin, kind: kind, wall: wall)
    }

    /// Forgets `twin`'s rules and their alerts, with no event: the twin leaves this engine (for another service
    /// instance, which restores them from storage), its alerts stay open there.
    public mutating func forget(_ twin: Twin) {
        restored[twin.address] = nil
        if hasRules(twin) { machines[twin.serial] = nil }
    }

    /// Builds a twin's rules from the book, with its restored memories if any.
    private mutating func build(_ twin: Twin, kind: String, wall: Date) -> [AlertEvent] {
        let address = twin.address
        let key = RuleSetKey(kind: kind, overrides: book.overrides(kind: kind, path: address))
        let set = sets[key] ?? MachineRules.RuleSet(kind: kind, book.rules(kind: kind, path: address))
        sets[key] = set
        var machine = MachineRules(address: address, set: set)
        // Rules dropped from this place (another twin's, or this twin's under another kind) close their alerts.
        var closed = twin.serial < machines.count ? machines[twin.serial]?.retiringAlerts() ?? [] : []
        if let saved = restored.removeValue(forKey: address) {
            let time = saved.values.compactMap { $0.alert?.lastSeen }.max() ?? wall
            closed += machine.restore(saved, at: time)
        }
        if twin.serial >= machines.count { machines += repeatElement(nil, count: twin.serial + 1 - machines.count) }
        machines[twin.serial] = machine
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

    /// The counts of `alerts` (those not closed) per site, area and line.
    public static func tally(_ alerts: some Sequence<Alert>) -> [PlantPath: AlertCounts] {
        var counts: [PlantPath: AlertCounts] = [:]
        for alert in alerts where alert.status != .closed {
            for key in alert.address.prefixes {
                counts[key, default: AlertCounts()].add(alert)
            }
        }
        return counts
    }

    mutating func add(_ alert: Alert) {
        if alert.isActive {
            active += 1
            bySeverity[alert.severity, default: 0] += 1
        }
        if alert.status == .activeUnacknowledged || alert.status == .clearedUnacknowledged { unacknowledged += 1 }
    }
}
