import FleetView

/// What the console asks its runtime to do after a key: the pure UI state machine returns these.
public enum ConsoleAction: Sendable, Equatable {
    /// Send what the trainer asked of the plant (the runtime publishes it).
    case send(FleetIntent)
    /// Leave the console.
    case quit
}
