import Foundation

/// Whether the machine is reachable.
public struct Connectivity: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case unknown, online, offline, stale
    }

    // (`since` before `status`: the status fits beside the optional date's tag byte.)
    public var since: Date?
    public var status: Status = .unknown
    public var reason = ""
    /// When the last message from the machine arrived.
    public var lastHeard: Date?

    private enum CodingKeys: String, CodingKey {
        case status, since, reason, lastHeard
    }

    /// In the order stored records have always had (not the order of the fields).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(since, forKey: .since)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(lastHeard, forKey: .lastHeard)
    }

    public init(status: Status = .unknown, since: Date? = nil, reason: String = "", lastHeard: Date? = nil) {
        self.status = status
        self.since = since
        self.reason = reason
        self.lastHeard = lastHeard
    }
}
