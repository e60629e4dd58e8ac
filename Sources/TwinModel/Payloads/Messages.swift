import Foundation

/// One telemetry sample: the reported value of every property (sensor faults included), at a simulated time.
public struct TelemetrySample: Sendable, Equatable {
    public var time: Date
    /// Per-machine telemetry sequence number, from 1.
    public var sequence: UInt64
    /// Property name, unit and value; a property whose sensor has dropped out is absent.
    public var values: [Reading]

    public struct Reading: Sendable, Equatable {
        public var property: String
        public var value: Double
        public var unit: String

        public init(property: String, value: Double, unit: String) {
            self.property = property
            self.value = value
            self.unit = unit
        }
    }

    public init(time: Date, sequence: UInt64, values: [Reading]) {
        self.time = time
        self.sequence = sequence
        self.values = values
    }

    public func value(of property: String) -> Double? {
        values.first { $0.property == property }?.value
    }
}

public struct StateChange: Sendable, Equatable {
    public var time: Date
    public var sequence: UInt64
    public var state: MachineState
    public var previous: MachineState
    /// Why: `shift early`, `command start`, `fault coolant_loss`, `microstop`, …
    public var reason: String

    public init(time: Date, sequence: UInt64, state: MachineState, previous: MachineState, reason: String) {
        self.time = time
        self.sequence = sequence
        self.state = state
        self.previous = previous
        self.reason = reason
    }
}

public struct ProductionCounters: Sendable, Equatable, Codable {
    public var time: Date
    public var sequence: UInt64
    public var total: Int
    public var good: Int
    public var scrap: Int
    /// The ideal time per part (the kind's ideal cycle time ÷ parts per cycle), for OEE performance.
    public var idealCycleTime: Duration

    public init(time: Date, sequence: UInt64, total: Int, good: Int, scrap: Int, idealCycleTime: Duration) {
        self.time = time
        self.sequence = sequence
        self.total = total
        self.good = good
        self.scrap = scrap
        self.idealCycleTime = idealCycleTime
    }
}

/// A command to a machine, decoded from its `cmd` topic.
public struct MachineCommandRequest: Sendable, Equatable {
    public var command: MachineCommand
    /// The fault of `inject_fault` / `clear_fault` (`clear_fault` without one clears all).
    public var fault: String?
    /// How long an injected fault lasts.
    public var duration: Duration?
    /// The speed factor of `set_speed` (0.1 to 1.5).
    public var value: Double?

    public init(command: MachineCommand, fault: String? = nil, duration: Duration? = nil, value: Double? = nil) {
        self.command = command
        self.fault = fault
        self.duration = duration
        self.value = value
    }
}
