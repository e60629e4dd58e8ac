/// How a scenario's fleet publishes, as the scenario file says (`protocol:` and `sparkplug:`); `twinhub sim`'s options
/// override it.
///
/// ```yaml
/// protocol: sparkplug          # json (default), sparkplug or both
/// sparkplug:
///   group: plant1              # the group id of every edge node (default: each machine's site)
///   edge_node: line            # line (default): a node per line, its machines its devices; machine: a node each
///   primary_host: scada        # wait for this host's STATE online before births
/// ```
public struct ScenarioWire: Sendable, Equatable {
    /// The protocols a fleet may speak.
    public static let protocols = ["json", "sparkplug", "both"]
    /// What an edge node may be.
    public static let nodeScopes = ["line", "machine"]

    public var protocolName = "json"
    public var sparkplugGroup: String?
    public var edgeNode = "line"
    public var primaryHost: String?

    public init() {}
}
