/// The message type of a Sparkplug topic (its third level).
public enum SparkplugVerb: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Edge node birth: every node metric, `bdSeq`, `Node Control/Rebirth`; seq 0.
    case nbirth = "NBIRTH"
    /// Edge node death: the MQTT will (QoS 1), only `bdSeq`, no seq.
    case ndeath = "NDEATH"
    /// Changed edge node metrics, by alias.
    case ndata = "NDATA"
    /// A command to the edge node (`Node Control/Rebirth`, writes); no seq.
    case ncmd = "NCMD"
    /// Device birth: every metric of a device, with name, alias, datatype and properties.
    case dbirth = "DBIRTH"
    /// The device went offline while its edge node lives.
    case ddeath = "DDEATH"
    /// Changed device metrics, by alias.
    case ddata = "DDATA"
    /// A command to a device; no seq.
    case dcmd = "DCMD"

    /// Whether the topic of this verb names a device (`…/{edge_node_id}/{device_id}`).
    public var isDeviceVerb: Bool {
        switch self {
        case .dbirth, .ddeath, .ddata, .dcmd: true
        case .nbirth, .ndeath, .ndata, .ncmd: false
        }
    }

    /// Whether messages of this verb carry the edge node's `seq` (all an edge node sends but NDEATH).
    public var carriesSeq: Bool {
        switch self {
        case .nbirth, .ndata, .dbirth, .ddeath, .ddata: true
        case .ndeath, .ncmd, .dcmd: false
        }
    }

    public var description: String { rawValue }
}
