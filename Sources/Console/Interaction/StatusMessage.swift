import Foundation

/// A line of feedback in the footer: what was sent, what happened, what went wrong.
public struct StatusMessage: Sendable, Equatable {
    public enum Tone: Sendable, Equatable {
        case info, success, warning
    }

    public var text: String
    public var tone: Tone
    public var time: Date

    public init(_ text: String, tone: Tone = .info, time: Date) {
        self.text = text
        self.tone = tone
        self.time = time
    }
}
