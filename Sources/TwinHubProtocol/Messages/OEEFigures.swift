/// OEE and its three factors as fractions (0…1); `nil` where the twin service has no figure yet.
public struct OEEFigures: Hashable, Sendable {
    public var oee: Double?
    public var availability: Double?
    public var performance: Double?
    public var quality: Double?

    public init(oee: Double? = nil, availability: Double? = nil, performance: Double? = nil, quality: Double? = nil) {
        self.oee = oee
        self.availability = availability
        self.performance = performance
        self.quality = quality
    }
}
