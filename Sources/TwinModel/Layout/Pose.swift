import Foundation

/// Where something stands on the floor and which way it faces, relative to what contains it (a machine to its line,
/// a line to its area, an area to its site, a site to the floor): metres, Y up, right-handed, as in glTF.
public struct Pose: Sendable, Hashable, Codable {
    /// `[x, y, z]` in metres.
    public var position: [Double]
    /// A unit quaternion `[x, y, z, w]`, as glTF writes rotations.
    public var rotation: [Double]

    /// No offset, no rotation.
    public static let identity = Pose(x: 0, y: 0, z: 0)

    /// At `(x, y, z)`, turned `yaw` degrees about the vertical axis (counter-clockwise seen from above).
    public init(x: Double, y: Double, z: Double, yaw degrees: Double = 0) {
        position = [x, y, z]
        let half = degrees * .pi / 360
        rotation = degrees == 0 ? [0, 0, 0, 1] : [0, sin(half), 0, cos(half)]
    }

    /// At `position`, turned by the unit quaternion `rotation` (`[x, y, z, w]`).
    public init(position: [Double], rotation: [Double]) {
        self.position = position
        self.rotation = rotation
    }

    /// This pose (given relative to `parent`) on the parent's parent: `parent` applied after it.
    public func placed(in parent: Pose) -> Pose {
        let moved = Quaternion(parent.rotation).rotate(position.count == 3 ? position : [0, 0, 0])
        let rotation = Quaternion(parent.rotation) * Quaternion(rotation)
        return Pose(position: zip(moved, parent.position.count == 3 ? parent.position : [0, 0, 0]).map(+), rotation: rotation.components)
    }

    /// The rotation about the vertical axis in degrees, for a top view (a rotation about other axes is left out).
    public var yawDegrees: Double {
        let q = Quaternion(rotation)
        // The heading of the rotated X axis on the floor plane.
        let x = q.rotate([1, 0, 0])
        return atan2(-x[2], x[0]) * 180 / .pi
    }
}

/// A rotation as a quaternion, for composing poses.
struct Quaternion: Sendable {
    var x, y, z, w: Double

    /// `[x, y, z, w]`; anything else (a decoded pose with too few numbers) is no rotation.
    init(_ components: [Double]) {
        guard components.count == 4 else {
            (x, y, z, w) = (0, 0, 0, 1)
            return
        }
        (x, y, z, w) = (components[0], components[1], components[2], components[3])
    }

    init(x: Double, y: Double, z: Double, w: Double) {
        (self.x, self.y, self.z, self.w) = (x, y, z, w)
    }

    var components: [Double] { [x, y, z, w] }

    static func * (a: Quaternion, b: Quaternion) -> Quaternion {
        Quaternion(x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                   y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                   z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
                   w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }

    /// `v` rotated by this (unit) quaternion.
    func rotate(_ v: [Double]) -> [Double] {
        let p = self * Quaternion(x: v[0], y: v[1], z: v[2], w: 0) * Quaternion(x: -x, y: -y, z: -z, w: w)
        return [p.x, p.y, p.z]
    }
}
