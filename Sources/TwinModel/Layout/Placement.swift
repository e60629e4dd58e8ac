/// What a scenario says of where a site, area, line or machine stands: each part optional, the rest laid out
/// automatically.
public struct Placement: Sendable, Hashable {
    /// Relative to what contains it.
    public var pose: Pose?
    /// A machine's floor space (for a site, area or line: the space it is drawn with, when given).
    public var footprint: Footprint?
    /// The glTF node name a 3D client maps to its model.
    public var asset: String?

    public init(pose: Pose? = nil, footprint: Footprint? = nil, asset: String? = nil) {
        self.pose = pose
        self.footprint = footprint
        self.asset = asset
    }

    public var isEmpty: Bool { pose == nil && footprint == nil && asset == nil }
}

extension Placement {
    /// The placements of `count` machines declared together (`count:` in a scenario): the first where this one says,
    /// each next one a footprint and a gap further along its line's X axis; without a pose, all laid out automatically.
    func spread(_ count: Int) -> [Placement] {
        guard count > 1, let pose else { return Array(repeating: self, count: count) }
        let pitch = (footprint ?? .machine).width + FloorLayout.machineGap
        return (0..<count).map { index in
            var placement = self
            placement.pose = Pose(position: [pose.position[0] + Double(index) * pitch, pose.position[1], pose.position[2]],
                                  rotation: pose.rotation)
            return placement
        }
    }
}
