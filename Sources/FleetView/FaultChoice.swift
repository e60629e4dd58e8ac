import TwinModel

/// A fault a trainer can inject into a machine of some kind (from its `twins/*.yaml`).
public struct FaultChoice: Sendable, Equatable {
    public var name: String
    /// The effect (`overheating`, `bearing_wear`, `network_loss`, …).
    public var effect: String
    public var description: String

    public init(name: String, effect: String, description: String) {
        self.name = name
        self.effect = effect
        self.description = description
    }
}

extension FaultChoice {
    /// The fault menu of every kind: kind id → its faults, in the order the kind declares them.
    public static func menus(for kinds: [String: MachineInterface]) -> [String: [FaultChoice]] {
        kinds.mapValues { kind in
            kind.faults.map { FaultChoice(name: $0.name, effect: $0.effect, description: $0.description) }
        }
    }
}
