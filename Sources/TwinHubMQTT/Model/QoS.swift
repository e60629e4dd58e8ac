/// MQTT delivery guarantee for a publish or a subscription.
public enum QoS: Int32, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// QoS 0: fire and forget; may be lost.
    case atMostOnce = 0
    /// QoS 1: acknowledged by PUBACK; may be duplicated.
    case atLeastOnce = 1
    /// QoS 2: four-way handshake; delivered exactly once.
    case exactlyOnce = 2

    public static func < (lhs: QoS, rhs: QoS) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "QoS \(rawValue)" }
}
