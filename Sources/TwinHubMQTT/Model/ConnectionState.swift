/// Where a client's connection stands. Observe it with ``MQTTClient/state`` and ``MQTTClient/stateUpdates()``.
public enum ConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Created; ``MQTTClient/connect()`` not called yet.
    case idle
    /// The first connection attempt is under way.
    case connecting
    /// Connected; `sessionPresent` says whether the broker resumed a stored session.
    case connected(sessionPresent: Bool)
    /// The connection was lost; attempt number `attempt` starts after `delay`. `lastError` says why.
    case reconnecting(attempt: Int, delay: Duration, lastError: MQTTError)
    /// Finished for good. `error` is `nil` after a requested disconnect.
    case closed(error: MQTTError?)

    /// Whether the client is connected right now.
    public var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }

    /// Whether the client is closed for good.
    public var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .idle: "idle"
        case .connecting: "connecting"
        case .connected(let sessionPresent): sessionPresent ? "connected (session resumed)" : "connected"
        case .reconnecting(let attempt, let delay, let lastError): "reconnecting (attempt \(attempt) in \(delay)): \(lastError.reason)"
        case .closed(let error?): "closed: \(error)"
        case .closed(nil): "closed"
        }
    }
}
