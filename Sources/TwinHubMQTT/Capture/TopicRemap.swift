/// `--remap OLD=NEW` of `twinhub replay`: topics that begin with the levels of OLD begin with NEW instead
/// (`acme=plant-2` turns `acme/leuven/…` into `plant-2/leuven/…`; `acmex/…` is left alone).
public struct TopicRemap: Sendable, Hashable, CustomStringConvertible {
    public var old: String
    public var new: String

    /// Parses `OLD=NEW`.
    /// - Throws: ``MQTTError`` (`invalidTopic`) saying what is wrong.
    public init(_ text: String) throws(MQTTError) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw MQTTError(.invalidTopic, "a remap reads OLD=NEW, two topic prefixes; got '\(text)'")
        }
        old = String(parts[0])
        new = String(parts[1])
        for prefix in [old, new] {
            guard !prefix.hasSuffix("/") else { throw MQTTError(.invalidTopic, "a remap's prefix ends at a level, without '/': '\(prefix)'") }
            try Topic.validateName(prefix)
        }
    }

    /// `topic` with OLD's levels replaced by NEW's, or `nil` when it does not begin with them.
    public func apply(to topic: String) -> String? {
        if topic == old { return new }
        guard topic.hasPrefix(old + "/") else { return nil }
        return new + topic.dropFirst(old.count)
    }

    /// `topic` after the first of `remaps` that applies (unchanged when none does).
    public static func apply(_ remaps: [TopicRemap], to topic: String) -> String {
        for remap in remaps {
            if let mapped = remap.apply(to: topic) { return mapped }
        }
        return topic
    }

    public var description: String { "\(old)=\(new)" }
}
