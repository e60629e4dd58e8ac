/// Sparkplug ids (group, edge node, device, host): any non-empty UTF-8 text without `/`, `+` or `#`.
enum SparkplugID {
    /// Returns `id`, or throws saying which id (`what`) is wrong and why.
    /// One pass over the bytes; the words of an error are made only when there is one.
    static func validated(_ id: some StringProtocol, _ what: @autoclosure () -> String) throws(SparkplugError) -> String {
        if id.isEmpty { throw SparkplugError(.invalidID, "the \(what()) is empty") }
        if let reserved = id.utf8.first(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) {
            throw SparkplugError(.invalidID, "the \(what()) '\(id)' contains '\(Character(Unicode.Scalar(reserved)))'")
        }
        return String(id)
    }
}

/// An edge node: its group and its id, unique together in a Sparkplug system (the Edge Node Descriptor).
public struct EdgeNodeDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let groupID: String
    public let edgeNodeID: String

    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/invalidID``) when an id is empty or has `/`, `+` or `#`.
    public init(groupID: String, edgeNodeID: String) throws(SparkplugError) {
        self.groupID = try SparkplugID.validated(groupID, "group id")
        self.edgeNodeID = try SparkplugID.validated(edgeNodeID, "edge node id")
    }

    /// `group/edge_node`.
    public var description: String { "\(groupID)/\(edgeNodeID)" }
}

/// A device of an edge node.
public struct DeviceDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let node: EdgeNodeDescriptor
    public let deviceID: String

    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/invalidID``) when the device id is empty or has `/`, `+` or `#`.
    public init(node: EdgeNodeDescriptor, deviceID: String) throws(SparkplugError) {
        self.node = node
        self.deviceID = try SparkplugID.validated(deviceID, "device id")
    }

    /// `group/edge_node/device`.
    public var description: String { "\(node)/\(deviceID)" }
}
