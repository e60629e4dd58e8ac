import Foundation

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
