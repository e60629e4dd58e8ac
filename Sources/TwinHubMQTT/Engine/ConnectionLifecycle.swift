/// The connection's state machine, as a value: each event returns the action the caller performs.
///
/// Rules: the first connection attempt either succeeds or closes the client with its error (so
/// `connect()` fails fast and clearly), unless the policy retries the first connection too; once connected, a lost connection is retried with exponential
/// backoff unless reconnection is off or the failure is permanent (credentials refused, TLS setup).
/// A requested close wins over everything.
struct ConnectionLifecycle {
    enum Action: Equatable {
        /// Nothing to do.
        case none
        /// Start a connection attempt now.
        case startAttempt
        /// Start the next attempt after `delay`; `generation` tells a stale timer from a live one.
        case scheduleRetry(delay: Duration, generation: Int)
        /// The connection is up: restore subscriptions (unless the session was resumed), flush the queue.
        case resume(sessionPresent: Bool)
        /// Close for good: release the connection, fail every waiter with `error` (or `closed`).
        case close(MQTTError?)
    }

    private(set) var state: ConnectionState = .idle
    /// Counts scheduled retries; a retry timer carries the generation it was scheduled in.
    private(set) var generation = 0
    /// Lost connections that led to a reconnection attempt.
    private(set) var reconnects = 0
    private var attempt = 0
    private var hasConnected = false
    let backoff: ReconnectBackoff

    init(policy: ClientConfiguration.ReconnectPolicy) {
        backoff = ReconnectBackoff(policy: policy)
    }

    mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .connecting
        return .startAttempt
    }

    mutating func connected(sessionPresent: Bool) -> Action {
        switch state {
        case .connecting, .reconnecting:
            state = .connected(sessionPresent: sessionPresent)
            hasConnected = true
            attempt = 0
            return .resume(sessionPresent: sessionPresent)
        case .idle, .connected, .closed:
            return .none
        }
    }

    /// The attempt failed or the connection dropped. `random` is uniform in `0..<1`, for jitter.
    mutating func failed(_ error: MQTTError, random: Double) -> Action {
        switch state {
        case .idle, .closed:
            return .none
        case .connecting where !backoff.policy.retriesFirstConnection:
            state = .closed(error: error)
            return .close(error)
        case .connecting, .connected, .reconnecting:
            if case .connected = state { reconnects += 1 }
            guard hasConnected || backoff.policy.retriesFirstConnection, backoff.policy.enabled, !Self.isPermanent(error) else {
                state = .closed(error: error)
                return .close(error)
            }
            attempt += 1
            generation += 1
            let delay = backoff.delay(attempt: attempt, random: random)
            state = .reconnecting(attempt: attempt, delay: delay, lastError: error)
            return .scheduleRetry(delay: delay, generation: generation)
        }
    }

    /// A retry timer fired.
    mutating func retryDue(generation: Int) -> Action {
        guard case .reconnecting = state, generation == self.generation else { return .none }
        return .startAttempt
    }

    mutating func closeRequested() -> Action {
        if case .closed = state { return .none }
        state = .closed(error: nil)
        return .close(nil)
    }

    /// Failures no retry can fix.
    static func isPermanent(_ error: MQTTError) -> Bool {
        error.code == .notAuthorized || error.code == .tls || error.code == .invalidConfiguration
    }
}
