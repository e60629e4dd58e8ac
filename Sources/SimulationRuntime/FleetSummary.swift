/// What a run did.
public struct FleetSummary: Sendable {
    public var machines: Int
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    public var published: Int
    /// Messages dropped by bounded queues (a slow or absent broker, a flood of commands).
    public var dropped: Int
    /// Messages a machine produced while its simulated network was down (a network_loss or power_loss fault).
    public var suppressedWhileOffline: Int
    public var commandsApplied: Int
    public var commandsRejected: Int
    /// Connections re-established after a simulated network loss.
    public var reconnects: Int
    /// Connections another client took over with the same client ID (another fleet of the same root and fleet ID).
    public var takeovers = 0
    /// Wall seconds the simulated clock was held back: the broker, the network or the MQTT thread could not keep up (``FleetSimulator/Options/paced``).
    public var heldSeconds: Double
    /// QoS 1 publishes the broker refused (its ACL), by channel; channels with none are absent. A refused QoS 0
    /// publish (telemetry) cannot be seen: the broker drops it without a word.
    public var refusedByBroker: [String: Int] = [:]
    /// State changes sent, announcements included.
    public var statesSent = 0

    /// Whether the broker refused every state change: the run did not simulate anything anyone could see.
    public var everyStateRefused: Bool { statesSent > 0 && (refusedByBroker["state"] ?? 0) >= statesSent }
}
