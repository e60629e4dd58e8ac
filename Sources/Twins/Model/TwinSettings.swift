import TwinModel

/// Settings shared by all twins.
public struct TwinSettings: Sendable {
    /// Samples kept per property for trends and sparklines.
    public var historySize = 60
    /// A machine or property is stale after this many sample intervals without data.
    public var staleAfter = 5.0
    public var kpi = KPITracker.Configuration()

    public init(historySize: Int = 60, staleAfter: Double = 5, kpi: KPITracker.Configuration = .init()) {
        self.historySize = historySize
        self.staleAfter = staleAfter
        self.kpi = kpi
    }
}

/// A store's settings, held once for all its twins with what they derive from them (a twin keeps a reference).
final class SharedSettings: Sendable {
    let settings: TwinSettings
    let kpi: KPITracker.Frame

    init(_ settings: TwinSettings) {
        self.settings = settings
        kpi = KPITracker.Frame(settings.kpi)
    }
}
