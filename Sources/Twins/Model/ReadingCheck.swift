import TwinModel

/// The part of a kind's property a reading is checked against.
struct ReadingCheck: Sendable {
    let name: String
    let unit: String
    let normal: ClosedRange<Double>
    let limits: ClosedRange<Double>
    /// One bit per ``MachineState/index``: the states in which `normal` applies.
    private let normalStates: UInt16

    init(_ spec: PropertySpec) {
        name = spec.name
        unit = spec.unit
        normal = spec.normal
        limits = spec.limits
        normalStates = MachineState.allCases.reduce(0) { mask, state in spec.normalApplies(in: state) ? mask | 1 << state.index : mask }
    }

    /// The quality of a possible value (within `limits`) read in `state`, or in an unknown state (`nil`), where the
    /// normal range applies.
    func quality(of value: Double, in state: MachineState?) -> ReportedProperty.Quality {
        if let state, normalStates & 1 << state.index == 0 { return .good }
        return normal.contains(value) ? .good : .outOfRange
    }
}
