import Foundation
import TwinModel

/// What a simulated machine reports; the publisher turns each into an MQTT message.
public enum SimulationEvent: Sendable, Equatable {
    /// A telemetry sample.
    case telemetry(TelemetrySample)
    /// The machine entered a state.
    case state(StateChange)
    /// Production counters after a completed cycle.
    case counters(ProductionCounters)
    /// The machine's network connection dropped (`false`) or came back (`true`).
    case network(up: Bool, reason: String)
}

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
}

public struct ProductionCounters: Sendable, Equatable {
    public var time: Date
    public var sequence: UInt64
    public var total: Int
    public var good: Int
    public var scrap: Int
    public var idealCycleTime: Duration
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

/// Why a machine refused a command.
public struct CommandRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
