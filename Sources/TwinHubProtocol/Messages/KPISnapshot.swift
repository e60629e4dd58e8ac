import TwinModel

/// Aggregate KPIs of a line (or an area or site) as the twin service published them.
public struct KPISnapshot: Sendable, Equatable {
    /// The site, area or line.
    public var path: PlantPath
    public var machines: Int
    public var shift: OEEFigures
    public var window: OEEFigures

    public init(path: PlantPath, machines: Int, shift: OEEFigures, window: OEEFigures) {
        self.path = path
        self.machines = machines
        self.shift = shift
        self.window = window
    }
}
