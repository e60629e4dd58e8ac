import Foundation

/// Live figures for the status line.
public struct FleetStatus: Sendable {
    public var simulatedTime: Date
    public var machines: Int
    public var online: Int
    public var messagesPerSecond: Double
    /// Simulated seconds per wall second over the last interval: the speed asked, less while the clock was held back
    /// or behind (steps capped by the pacing), more while it caught up.
    public var speed: Double
    /// The share of the last interval the clock was held back (``FleetSimulator/Options/paced``), 0–1.
    public var held: Double
    public var dropped: Int
    public var commandsApplied: Int
    public var commandsRejected: Int
    /// QoS 1 publishes the broker refused (its ACL), by channel; channels with none are absent.
    public var refusedByBroker: [String: Int] = [:]
}
