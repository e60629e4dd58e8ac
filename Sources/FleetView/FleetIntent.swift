import TwinModel

/// What a user asks of the plant from any screen: acknowledge an alert, command a machine, or set the state the
/// twin service is to bring a machine to. A screen's pure state machine returns intents; its runtime sends them
/// (``FleetIntent/message(in:)`` gives the topic and bytes), so no screen encodes a payload of its own.
public enum FleetIntent: Sendable, Equatable {
    /// Acknowledge an open alert.
    case acknowledge(AlertKey, AcknowledgementRequest)
    /// Send a machine a command: start, stop, hold, reset, inject or clear a fault, change its speed.
    case command(PlantPath, MachineCommandRequest)
    /// Ask the twin service to bring a machine to a state (it commands the machine until its twin reports it).
    case desire(PlantPath, MachineState)

    /// The machine the intent acts on.
    public var machine: PlantPath {
        switch self {
        case .acknowledge(let alert, _): alert.machine
        case .command(let machine, _), .desire(let machine, _): machine
        }
    }
}
