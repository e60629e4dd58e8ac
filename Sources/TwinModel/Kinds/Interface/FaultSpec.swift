/// A fault a kind can suffer, by name: `inject_fault` and `clear_fault` commands and scenarios name it.
public struct FaultSpec: Sendable, Equatable {
    public var name: String
    /// What the fault does, by the name of its effect (`overheating`, `bearing_wear`, `network_loss`, …); the
    /// ``SimulationProfile`` says how.
    public var effect: String
    public var description: String
    public var location: SourceLocation

    public init(name: String, effect: String, description: String, location: SourceLocation) {
        self.name = name
        self.effect = effect
        self.description = description
        self.location = location
    }
}
