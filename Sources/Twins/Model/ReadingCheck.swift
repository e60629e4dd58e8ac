import TwinModel

/// The part of a kind's property a reading is checked against.
struct ReadingCheck: Sendable {
    let name: String
    let unit: String
    let normal: ClosedRange<Double>
    let limits: ClosedRange<Double>

    init(_ spec: PropertySpec) {
        name = spec.name
        unit = spec.unit
        normal = spec.normal
        limits = spec.limits
    }
}
