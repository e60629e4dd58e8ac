/// A request to acknowledge an alert: who and why.
public struct AcknowledgementRequest: Sendable, Equatable {
    public var by: String
    public var comment: String

    public init(by: String, comment: String) {
        self.by = by
        self.comment = comment
    }
}
