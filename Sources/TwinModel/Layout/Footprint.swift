/// The floor space something takes: `width` along its X axis and `depth` along its Z axis, in metres.
public struct Footprint: Sendable, Hashable, Codable {
    public var width: Double
    public var depth: Double

    public init(width: Double, depth: Double) {
        self.width = width
        self.depth = depth
    }

    /// A machine's when neither the scenario nor its kind gives one.
    public static let machine = Footprint(width: 2.5, depth: 2)
    /// The largest side accepted, in metres.
    public static let maximumSide = 10_000.0
}
