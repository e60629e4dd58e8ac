import RuleLanguage
import Foundation
import TwinModel

/// An open alert as the twin service published it.
public struct AlertSnapshot: Sendable, Equatable {
    /// Who acknowledged, when and why.
    public struct Acknowledgement: Sendable, Equatable {
        public var by: String
        public var at: Date?
        public var comment: String

        public init(by: String, at: Date?, comment: String) {
            self.by = by
            self.at = at
            self.comment = comment
        }
    }

    /// Why the alert is there: the rule in words and the values it read.
    public struct Explanation: Sendable, Equatable {
        public var condition: String
        public var description: String
        /// The values the rule read, by name, sorted.
        public var values: [(name: String, value: Double)]
        public var measure: Double?
        public var threshold: Double?

        public init(condition: String, description: String = "", values: [(name: String, value: Double)] = [], measure: Double? = nil, threshold: Double? = nil) {
            self.condition = condition
            self.description = description
            self.values = values
            self.measure = measure
            self.threshold = threshold
        }

        public static func == (lhs: Explanation, rhs: Explanation) -> Bool {
            lhs.condition == rhs.condition && lhs.description == rhs.description && lhs.measure == rhs.measure
                && lhs.threshold == rhs.threshold && lhs.values.map(\.name) == rhs.values.map(\.name)
                && lhs.values.map(\.value) == rhs.values.map(\.value)
        }
    }

    public var key: AlertKey
    public var id: String
    public var kind: String
    /// The rule's name in words.
    public var name: String
    public var severity: Severity
    /// `active_unacknowledged`, `active_acknowledged`, `cleared_unacknowledged` or `closed`.
    public var status: String
    public var isActive: Bool
    public var acknowledgement: Acknowledgement?
    /// How many times the condition returned while the alert was open.
    public var count: Int
    public var firstSeen: Date?
    public var lastSeen: Date?
    public var raisedAt: Date?
    public var clearedAt: Date?
    /// The rule's message with its current values (rendered again while the alert is active).
    public var message: String
    /// The message as it was when the alert was raised.
    public var raisedMessage: String?
    public var explanation: Explanation

    public init(key: AlertKey, id: String, kind: String, name: String, severity: Severity, status: String, isActive: Bool,
                acknowledgement: Acknowledgement? = nil, count: Int = 1, firstSeen: Date? = nil, lastSeen: Date? = nil,
                raisedAt: Date? = nil, clearedAt: Date? = nil, message: String, raisedMessage: String? = nil, explanation: Explanation) {
        self.key = key
        self.id = id
        self.kind = kind
        self.name = name
        self.severity = severity
        self.status = status
        self.isActive = isActive
        self.acknowledgement = acknowledgement
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.raisedAt = raisedAt
        self.clearedAt = clearedAt
        self.message = message
        self.raisedMessage = raisedMessage
        self.explanation = explanation
    }

    public var isAcknowledged: Bool { acknowledgement != nil }
}
