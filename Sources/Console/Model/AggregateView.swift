/// Aggregate KPIs of a line (or an area or site) as the twin service published them.
public struct AggregateView: Sendable, Equatable {
    public var site: String
    public var area: String?
    public var line: String?
    public var machines: Int
    public var shift: OEEFigures
    public var window: OEEFigures

    public init(site: String, area: String? = nil, line: String? = nil, machines: Int, shift: OEEFigures, window: OEEFigures) {
        self.site = site
        self.area = area
        self.line = line
        self.machines = machines
        self.shift = shift
        self.window = window
    }

    /// The line's key, when this is a line's aggregate.
    public var lineKey: LineKey? {
        guard let area, let line else { return nil }
        return LineKey(site: site, area: area, line: line)
    }
}
