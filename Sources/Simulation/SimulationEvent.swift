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

/// Why a machine refused a command.
public struct CommandRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
