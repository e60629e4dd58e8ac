import Foundation

/// A screen's connection to the broker, as its header shows it.
public enum ConnectionStatus: Sendable, Equatable {
    case connecting
    /// Connected; `resumed` when the broker kept the session (nothing was missed).
    case connected(resumed: Bool)
    /// The connection was lost; attempt `attempt` is under way or waiting.
    case reconnecting(attempt: Int, reason: String)
    /// The console stopped connecting.
    case closed(reason: String?)

    public var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }
}
