/// What the console asks its runtime to do after a key: the pure UI state machine returns these.
public enum ConsoleAction: Sendable, Equatable {
    /// Publish a command or an acknowledgement (QoS 1, not retained).
    case publish(topic: String, payload: [UInt8])
    /// Leave the console.
    case quit
}
