import Foundation

/// A machine's change of operational state, as it reports it.
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
