import Foundation

/// A simulated factory, loaded from `simulations/*.yaml`: machines placed in an ISA-95 hierarchy
/// (enterprise / site / area / line / machine), with shifts, planned downtime, faults, speed and seed.
public struct Scenario: Sendable {
    public var id: String
    public var name: String
    public var description: String
    /// The enterprise level of the hierarchy; also the default MQTT topic root.
    public var enterprise: String
    /// Seed of every random choice: the same scenario and seed give the same telemetry.
    public var seed: UInt64
    /// Simulated seconds per wall-clock second (1 to 3600 and more).
    public var speed: Double
    /// Simulated time at which the run starts.
    public var start: Date
    public var shifts: [TimeWindow]
    public var plannedDowntime: [TimeWindow]
    /// How long machines spend in `setup` at the start of each shift.
    public var setupTime: Duration
    /// Short random stops (starved or held) while running.
    public var microstops: Microstops?
    /// Every machine, fleets expanded, in file order.
    public var machines: [MachineInstance]
    public var location: SourceLocation
    /// What the scenario says of where its sites, areas, lines and machines stand (``FloorLayout`` lays out the rest).
    public var placements: [PlantPath: Placement] = [:]
    /// What the fleet speaks on MQTT (JSON by default, Sparkplug B, or both).
    public var wire = ScenarioWire()
}

extension Scenario {
    /// The scenario's floor: its machines where it places them, the others laid out automatically.
    public var floor: FloorLayout {
        FloorLayout(machines: machines.map { ($0.path, $0.kind.id) }, declared: placements.filter { !$0.value.isEmpty })
    }
}

/// A daily window, `start` to `end` (UTC); `end` before `start` means it crosses midnight.
public struct TimeWindow: Sendable, Hashable {
    public var name: String
    public var start: ClockTime
    public var end: ClockTime

    public init(name: String, start: ClockTime, end: ClockTime) {
        self.name = name
        self.start = start
        self.end = end
    }

    /// Whether the time of day `secondsOfDay` falls in the window.
    public func contains(secondsOfDay: Int) -> Bool {
        if start <= end { return secondsOfDay >= start.secondsOfDay && secondsOfDay < end.secondsOfDay }
        return secondsOfDay >= start.secondsOfDay || secondsOfDay < end.secondsOfDay
    }
}

/// Random short stops: on average `perHour` while running, each lasting `duration`.
public struct Microstops: Sendable {
    public var perHour: Double
    public var duration: Duration
}

/// One simulated machine: a kind (with this machine's overrides applied) at a place in the hierarchy.
public struct MachineInstance: Sendable {
    /// Where the machine stands: site, area, line and its id.
    public var path: PlantPath
    public var kind: MachineKind
    public var scheduledFaults: [ScheduledFault]
    /// Whether the kind's random failures (MTBF/MTTR) apply.
    public var randomFaults: Bool
    /// Changes to the kind's alert rules for this machine.
    public var ruleOverrides: [RuleOverride.Entry] = []
    public var location: SourceLocation

    public var id: String { path.name }
}

extension Scenario {
    /// The scenario's per-machine rule changes, for the rules engine.
    public var ruleOverrides: [RuleOverride] {
        machines.filter { !$0.ruleOverrides.isEmpty }.map { machine in
            RuleOverride(kind: machine.kind.id, site: machine.path.site, area: machine.path.area, line: machine.path.line,
                         machine: machine.path.machine, entries: machine.ruleOverrides, location: machine.location)
        }
    }
}

/// A fault that happens at a simulated time after the start.
public struct ScheduledFault: Sendable {
    public var fault: String
    public var at: Duration
    /// How long it lasts; `nil` uses the fault's own duration, or lasts until cleared.
    public var duration: Duration?
}
