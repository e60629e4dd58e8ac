import TwinModel

/// Where a TwinHub machine lives in the Sparkplug namespace: the group is the site, an edge node is a line
/// (`{area}:{line}`, since an id cannot hold `/`), a device is a machine.
public enum SparkplugAddress {
    /// The separator between area and line in an edge node id.
    public static let separator: Character = ":"

    /// The edge node of a line (or of the line of a machine).
    /// - Throws: ``SparkplugError`` when the path has no line, or a level cannot be a Sparkplug id.
    public static func edgeNode(of path: PlantPath) throws(SparkplugError) -> EdgeNodeDescriptor {
        guard let area = path.area, let line = path.line else {
            throw SparkplugError(.invalidID, "'\(path)' is not a line or a machine: an edge node is a line")
        }
        if area.contains(separator) {
            throw SparkplugError(.invalidID, "the area '\(area)' contains '\(separator)', which separates area and line in an edge node id")
        }
        return try EdgeNodeDescriptor(groupID: path.site, edgeNodeID: "\(area)\(separator)\(line)")
    }

    /// The device of a machine.
    /// - Throws: ``SparkplugError`` when the path is not a machine's, or a level cannot be a Sparkplug id.
    public static func device(of path: PlantPath) throws(SparkplugError) -> DeviceDescriptor {
        guard let machine = path.machine else {
            throw SparkplugError(.invalidID, "'\(path)' is not a machine: a device is a machine")
        }
        return try DeviceDescriptor(node: edgeNode(of: path), deviceID: machine)
    }

    /// The edge node of a single machine, for fleets with a node per machine: `{area}:{line}:{machine}`.
    /// - Throws: ``SparkplugError`` as ``edgeNode(of:)`` does, or for a path that is not a machine's.
    public static func machineNode(of path: PlantPath) throws(SparkplugError) -> EdgeNodeDescriptor {
        guard let machine = path.machine else { throw SparkplugError(.invalidID, "'\(path)' is not a machine") }
        let line = try edgeNode(of: path)
        return try EdgeNodeDescriptor(groupID: line.groupID, edgeNodeID: "\(line.edgeNodeID)\(separator)\(machine)")
    }

    /// The machine of a device, or `nil` when its edge node id is neither `{area}:{line}` nor `{area}:{line}:{device}`.
    public static func machine(of device: DeviceDescriptor) -> PlantPath? {
        var edgeNode = Substring(device.node.edgeNodeID)
        // A node of one machine: `{area}:{line}:{machine}`.
        if edgeNode.hasSuffix("\(separator)\(device.deviceID)") {
            let line = edgeNode.dropLast(device.deviceID.count + 1)
            if line.contains(separator) { edgeNode = line }
        }
        guard let index = edgeNode.firstIndex(of: separator) else { return nil }
        let area = edgeNode[..<index], line = edgeNode[edgeNode.index(after: index)...]
        guard !area.isEmpty, !line.isEmpty else { return nil }
        return PlantPath(site: device.node.groupID, area: String(area), line: String(line), machine: device.deviceID)
    }
}
