import Foundation

/// The first line of a capture file: what it is, when and where it was recorded.
public struct CaptureHeader: Sendable, Hashable {
    /// The `format` member every capture starts with.
    public static let format = "twinhub-capture"
    /// The version this build writes and reads.
    public static let version = 1

    /// When the capture began (UTC).
    public var started: Date
    /// The broker recorded from, as given (without a password).
    public var broker: String
    /// The topic filters subscribed to.
    public var filters: [String]

    public init(started: Date, broker: String, filters: [String]) {
        self.started = started
        self.broker = broker
        self.filters = filters
    }
}
