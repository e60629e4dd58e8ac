/// Why a payload could not be read: a code to count by, and the reason in words.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Reasons a payload is refused, each counted separately.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case tooLarge = "too_large"
        case malformedJSON = "malformed_json"
        case nonFinite = "non_finite"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case invalidValue = "invalid_value"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
