import SparkplugB
import TwinModel

/// What a simulated fleet speaks: TwinHub's JSON topics (a connection per machine), Sparkplug B (a connection per edge
/// node), or both side by side with the same values.
public enum FleetProtocol: String, Sendable, CaseIterable {
    case json, sparkplug, both

    var speaksJSON: Bool { self != .sparkplug }
    var speaksSparkplug: Bool { self != .json }
}

/// How a fleet's machines sit in the Sparkplug namespace.
public struct SparkplugFleetOptions: Sendable {
    /// What an edge node is: a line (its machines its devices) or a single machine.
    public enum NodeScope: String, Sendable, CaseIterable {
        case line, machine
    }

    /// The group id of every node; `nil` uses each machine's site.
    public var groupID: String?
    public var nodeScope: NodeScope = .line
    /// The primary host application to wait for before births (its STATE online), and to leave when it goes offline.
    public var primaryHostID: String?

    public init(groupID: String? = nil, nodeScope: NodeScope = .line, primaryHostID: String? = nil) {
        self.groupID = groupID
        self.nodeScope = nodeScope
        self.primaryHostID = primaryHostID
    }

    /// The edge node of a machine under these options.
    /// - Throws: ``SparkplugError`` when a level of the path cannot be a Sparkplug id.
    public func node(of path: PlantPath) throws(SparkplugError) -> EdgeNodeDescriptor {
        let node = nodeScope == .line ? try SparkplugAddress.edgeNode(of: path) : try SparkplugAddress.machineNode(of: path)
        guard let groupID else { return node }
        return try EdgeNodeDescriptor(groupID: groupID, edgeNodeID: node.edgeNodeID)
    }
}
