/// A topic of the Sparkplug B namespace: `spBv1.0/{group_id}/{verb}/{edge_node_id}[/{device_id}]`, or a host
/// application's `spBv1.0/STATE/{host_id}`.
public enum SparkplugTopic: Sendable, Hashable, CustomStringConvertible {
    /// NBIRTH, NDEATH, NDATA or NCMD of an edge node.
    case node(SparkplugVerb, EdgeNodeDescriptor)
    /// DBIRTH, DDEATH, DDATA or DCMD of a device.
    case device(SparkplugVerb, DeviceDescriptor)
    /// A host application's STATE (retained JSON birth and will).
    case state(hostID: String)

    /// The namespace, the first level of every Sparkplug B topic.
    public static let namespace = "spBv1.0"

    /// The filter a host subscribes to for every group's messages.
    public static let allMessagesFilter = "\(namespace)/#"

    /// The STATE topic of a host application.
    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/invalidID``) for an empty host id or one with `/`, `+`, `#`.
    public static func state(of hostID: String) throws(SparkplugError) -> SparkplugTopic {
        .state(hostID: try SparkplugID.validated(hostID, "host id"))
    }

    /// The topic as text.
    public var description: String {
        switch self {
        case .node(let verb, let node): "\(Self.namespace)/\(node.groupID)/\(verb.rawValue)/\(node.edgeNodeID)"
        case .device(let verb, let device):
            "\(Self.namespace)/\(device.node.groupID)/\(verb.rawValue)/\(device.node.edgeNodeID)/\(device.deviceID)"
        case .state(let hostID): "\(Self.namespace)/STATE/\(hostID)"
        }
    }

    /// The verb, or `nil` for STATE.
    public var verb: SparkplugVerb? {
        switch self {
        case .node(let verb, _), .device(let verb, _): verb
        case .state: nil
        }
    }

    /// The edge node the topic belongs to, or `nil` for STATE.
    public var edgeNode: EdgeNodeDescriptor? {
        switch self {
        case .node(_, let node): node
        case .device(_, let device): device.node
        case .state: nil
        }
    }

    /// Reads a topic.
    /// - Throws: ``SparkplugError`` saying which level is wrong: ``SparkplugError/Code/invalidTopic`` for the
    ///   namespace, the number of levels or the verb, ``SparkplugError/Code/invalidID`` for an id.
    public init(parsing topic: String) throws(SparkplugError) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.first == Substring(Self.namespace) else {
            throw SparkplugError(.invalidTopic, "'\(topic)' is not in the \(Self.namespace) namespace (level 1 is '\(levels.first ?? "")')")
        }
        guard levels.count >= 3 else {
            throw SparkplugError(.invalidTopic, "'\(topic)' has \(levels.count) levels; Sparkplug topics have 3 to 5")
        }
        if levels[1] == "STATE" {
            guard levels.count == 3 else {
                throw SparkplugError(.invalidTopic, "'\(topic)': a STATE topic is spBv1.0/STATE/{host_id} (3 levels, not \(levels.count))")
            }
            self = .state(hostID: try SparkplugID.validated(levels[2], "host id (level 3 of '\(topic)')"))
            return
        }
        guard levels.count == 4 || levels.count == 5 else {
            throw SparkplugError(.invalidTopic, "'\(topic)' has \(levels.count) levels; Sparkplug topics have 3 to 5")
        }
        guard let verb = SparkplugVerb(rawValue: String(levels[2])) else {
            throw SparkplugError(.invalidTopic, "'\(topic)': level 3 '\(levels[2])' is not a Sparkplug message type")
        }
        let node = try EdgeNodeDescriptor(groupID: try SparkplugID.validated(levels[1], "group id (level 2 of '\(topic)')"),
                                          edgeNodeID: try SparkplugID.validated(levels[3], "edge node id (level 4 of '\(topic)')"))
        if verb.isDeviceVerb {
            guard levels.count == 5 else {
                throw SparkplugError(.invalidTopic, "'\(topic)': \(verb) needs a device id (level 5)")
            }
            self = .device(verb, try DeviceDescriptor(node: node, deviceID: try SparkplugID.validated(levels[4], "device id (level 5 of '\(topic)')")))
        } else {
            guard levels.count == 4 else {
                throw SparkplugError(.invalidTopic, "'\(topic)': \(verb) has no device level (5 levels given, 4 expected)")
            }
            self = .node(verb, node)
        }
    }
}
