/// The MQTT protocol version a client speaks.
public enum ProtocolVersion: Sendable, Hashable, CustomStringConvertible {
    /// MQTT 3.1.1 (protocol level 4).
    case v311
    /// MQTT 5.0 (protocol level 5): reason codes, properties, session expiry.
    case v5

    public var description: String {
        switch self {
        case .v311: "3.1.1"
        case .v5: "5"
        }
    }
}
