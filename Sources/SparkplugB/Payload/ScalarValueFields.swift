/// The scalar fields that a Metric's and a PropertyValue's `value` oneof share, so both are written the same way.
protocol ScalarValueFields {
    var intValue: UInt32 { get set }
    var longValue: UInt64 { get set }
    var floatValue: Float { get set }
    var doubleValue: Double { get set }
    var booleanValue: Bool { get set }
    var stringValue: String { get set }
}

extension ProtoMetric: ScalarValueFields {}
extension ProtoPropertyValue: ScalarValueFields {}

extension ScalarValueFields {
    /// Sets the field of a scalar value; returns false, setting nothing, for bytes and structured values.
    mutating func set(_ wire: WireScalar) -> Bool {
        switch wire {
        case .int(let raw): intValue = raw
        case .long(let raw): longValue = raw
        case .float(let raw): floatValue = raw
        case .double(let raw): doubleValue = raw
        case .bool(let raw): booleanValue = raw
        case .string(let raw): stringValue = raw
        case .bytes, .structured: return false
        }
        return true
    }
}
