/// Something a twin refused, counted by its reason. A ``Reason/duplicate`` (a message applied already, as a QoS 1
/// redelivery is) is counted apart and never dead-lettered: nothing is wrong with it.
public struct Refusal: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case duplicate, outOfOrder = "out_of_order", unknownProperty = "unknown_property"
        case unitMismatch = "unit_mismatch", impossibleValue = "impossible_value"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
