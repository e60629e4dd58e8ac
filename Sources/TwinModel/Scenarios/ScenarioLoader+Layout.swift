import Foundation

extension ScenarioLoader {
    /// Keys of a site, area, line or machine that place it on the floor.
    static let placementKeys = ["pose", "footprint", "asset"]

    /// The longest asset id accepted.
    static let maximumAssetLength = 128

    /// What `map` says of where it stands (`pose`, `footprint`, `asset`).
    static func parsePlacement(_ map: YAMLMapping) throws(ModelError) -> Placement {
        var placement = Placement()
        if let node = map.optional("pose") { placement.pose = try parsePose(node) }
        if let node = map.optional("footprint") {
            let sides = try node.sequence("footprint")
            guard sides.count == 2 else { throw node.error("footprint must be [width, depth] in metres") }
            let width = try sides[0].double("footprint width"), depth = try sides[1].double("footprint depth")
            for (side, value) in [(sides[0], width), (sides[1], depth)] where !(value > 0 && value <= Footprint.maximumSide) {
                throw side.error("a footprint's side must be more than 0 and at most \(Int(Footprint.maximumSide)) m, not \(value)")
            }
            placement.footprint = Footprint(width: width, depth: depth)
        }
        if let node = map.optional("asset") {
            let asset = try node.string("asset")
            guard !asset.isEmpty, asset.count <= maximumAssetLength, !asset.contains(where: \.isNewline) else {
                throw node.error("asset must be a name of 1 to \(maximumAssetLength) characters on one line (a glTF node name)")
            }
            placement.asset = asset
        }
        return placement
    }

    /// `[x, y, z]`, or `{ position: [x, y, z], rotation: DEGREES | [x, y, z, w] }` (degrees about the vertical axis, or
    /// a quaternion as glTF writes it).
    private static func parsePose(_ node: YAMLNode) throws(ModelError) -> Pose {
        if case .sequence = node.node { return try Pose(position: parseVector(node, count: 3, what: "pose position"), rotation: [0, 0, 0, 1]) }
        let map = try node.mapping("a pose")
        try map.checkKeys(["position", "rotation"])
        let position = try parseVector(try map.required("position"), count: 3, what: "pose position")
        guard let rotationNode = map.optional("rotation") else { return Pose(position: position, rotation: [0, 0, 0, 1]) }
        if case .sequence = rotationNode.node {
            let q = try parseVector(rotationNode, count: 4, what: "pose rotation")
            let length = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard length > 1e-9 else { throw rotationNode.error("a rotation quaternion [x, y, z, w] must not be all zeros") }
            return Pose(position: position, rotation: q.map { $0 / length })
        }
        let degrees = try rotationNode.double("pose rotation (degrees about the vertical axis)")
        return Pose(x: position[0], y: position[1], z: position[2], yaw: degrees)
    }

    private static func parseVector(_ node: YAMLNode, count: Int, what: String) throws(ModelError) -> [Double] {
        let items = try node.sequence(what)
        let names = count == 3 ? "[x, y, z]" : "[x, y, z, w]"
        guard items.count == count else { throw node.error("\(what) must be \(names), \(count) numbers, not \(items.count)") }
        var values: [Double] = []
        for item in items {
            let value = try item.double(what)
            guard abs(value) <= Footprint.maximumSide else { throw item.error("\(what) must be within ±\(Int(Footprint.maximumSide)) m, not \(value)") }
            values.append(value)
        }
        return values
    }
}
