/// Why a Sparkplug topic, payload or message was refused: a code to count by, and the reason in words (what, and where).
public struct SparkplugError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Reasons for refusal, each counted separately.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The topic is not in the `spBv1.0` namespace, has a wrong number of levels or an unknown verb.
        case invalidTopic = "invalid_topic"
        /// A group, edge node, device or host id is empty or has `/`, `+` or `#`.
        case invalidID = "invalid_id"
        /// The bytes are not a Sparkplug B protobuf payload.
        case malformedPayload = "malformed_payload"
        /// Something the message type requires is absent (seq, timestamp, bdSeq, a metric's name or datatype).
        case missingField = "missing_field"
        /// A value is not of the metric's datatype, or a datatype is not one Sparkplug defines.
        case wrongType = "wrong_type"
        /// A value is out of range (seq above 255, a property set whose keys and values differ in number, bad JSON).
        case invalidValue = "invalid_value"
    }

    /// What kind of refusal.
    public let code: Code
    /// What was wrong and where (the metric's name or alias, the field, the topic level).
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
