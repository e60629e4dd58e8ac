import Foundation

/// Every MQTT topic TwinHub uses, in one place, in a Unified-Namespace layout:
/// `{root}/{site}/{area}/{line}/{machine}/{channel}`.
///
/// The root stands for the enterprise (by default the scenario's `enterprise`). The simulator publishes
/// `telemetry`, `state`, `counters` and `status` and listens on `cmd`; the twin service and the console
/// read the same map, so a change of layout happens here only.
public struct TopicMap: Sendable, Hashable {
    /// What a machine topic carries.
    public enum Channel: String, Sendable, CaseIterable {
        /// Sampled property values with units (QoS 0, not retained).
        case telemetry
        /// The operational state and why it changed (QoS 1, retained).
        case state
        /// Production counters after each cycle (QoS 1, retained).
        case counters
        /// `online`, or `offline` from the last will (QoS 1, retained).
        case status
        /// Commands to the machine (start, stop, hold, reset, inject_fault, clear_fault, set_speed).
        case cmd
        /// The twin service's snapshot of the machine (QoS 1, retained).
        case twin
        /// A desired state for the twin service to bring about (`{"state":"stopped"}`).
        case desired
        /// The twin service's recent samples per property, for trends and sparklines (QoS 1, retained).
        case history
    }

    /// A level of the hierarchy that has aggregate KPIs.
    public enum Level: String, Sendable {
        case site, area, line
    }

    /// Where a machine topic points.
    public struct Address: Sendable, Hashable {
        public var site: String
        public var area: String
        public var line: String
        public var machine: String
        public var channel: Channel

        public init(site: String, area: String, line: String, machine: String, channel: Channel) {
            self.site = site
            self.area = area
            self.line = line
            self.machine = machine
            self.channel = channel
        }
    }

    /// The topic prefix, one or more levels without wildcards.
    public let root: String

    /// - Throws: ``TopicMapError`` when the root is empty or has wildcards or empty levels.
    public init(root: String) throws(TopicMapError) {
        guard !root.isEmpty, !root.contains("+"), !root.contains("#"), !root.hasPrefix("$"),
              !root.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw TopicMapError(root: root)
        }
        self.root = root
    }

    /// The topic of `channel` for a machine.
    public func topic(_ channel: Channel, for path: EquipmentPath) -> String {
        "\(root)/\(path.site)/\(path.area)/\(path.line)/\(path.machine)/\(channel.rawValue)"
    }

    /// The filter matching `channel` of every machine under the root.
    public func filter(_ channel: Channel) -> String {
        "\(root)/+/+/+/+/\(channel.rawValue)"
    }

    /// Aggregate KPIs of a site, area or line (retained): `{root}/{site}[/{area}[/{line}]]/kpi`.
    public func aggregate(site: String, area: String? = nil, line: String? = nil) -> String {
        ([root, site, area, line].compactMap { $0 } + ["kpi"]).joined(separator: "/")
    }

    /// Where refused messages go, with their reason: `{root}/_deadletter/{reason}`.
    public func deadLetter(reason: String) -> String { "\(root)/_deadletter/\(reason)" }

    /// The twin service's own metrics (retained).
    public var serviceMetrics: String { "\(root)/_twinhub/metrics" }

    // MARK: Alerts

    /// An open alert of a machine and a rule (retained; emptied when the alert closes):
    /// `{root}/{site}/{area}/{line}/{machine}/alert/{rule}`.
    public func alert(rule: String, for path: EquipmentPath) -> String {
        "\(root)/\(path.site)/\(path.area)/\(path.line)/\(path.machine)/alert/\(rule)"
    }

    /// The filter matching every open alert.
    public var alertFilter: String { "\(root)/+/+/+/+/alert/+" }

    /// Where an alert is acknowledged: its topic followed by `/ack`.
    public func alertAcknowledgement(rule: String, for path: EquipmentPath) -> String {
        alert(rule: rule, for: path) + "/ack"
    }

    /// The filter matching every acknowledgement.
    public var alertAcknowledgementFilter: String { "\(root)/+/+/+/+/alert/+/ack" }

    /// Every alert lifecycle event, in order (QoS 1, not retained).
    public var alertEvents: String { "\(root)/_alerts/events" }

    /// Counts of open alerts of a site, area or line (retained): `{root}/{site}[/{area}[/{line}]]/alerts`.
    public func alertCounts(site: String, area: String? = nil, line: String? = nil) -> String {
        ([root, site, area, line].compactMap { $0 } + ["alerts"]).joined(separator: "/")
    }

    /// A machine and a rule, read back from an alert or acknowledgement topic.
    public struct AlertAddress: Sendable, Hashable {
        public var site: String
        public var area: String
        public var line: String
        public var machine: String
        public var rule: String
        /// Whether the topic is the acknowledgement topic.
        public var isAcknowledgement: Bool
    }

    /// Reads an alert or acknowledgement topic back; `nil` if it is neither.
    public func alertAddress(of topic: String) -> AlertAddress? {
        guard topic.hasPrefix(root + "/") else { return nil }
        let levels = topic.dropFirst(root.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count == 6 || levels.count == 7, levels[4] == "alert", !levels.contains(where: \.isEmpty) else { return nil }
        if levels.count == 7 && levels[6] != "ack" { return nil }
        return AlertAddress(site: String(levels[0]), area: String(levels[1]), line: String(levels[2]), machine: String(levels[3]),
                            rule: String(levels[5]), isAcknowledgement: levels.count == 7)
    }

    /// A site, area or line, read back from an aggregate topic (`…/kpi` or `…/alerts`).
    public struct AggregateAddress: Sendable, Hashable {
        public var site: String
        public var area: String?
        public var line: String?
        /// `kpi` or `alerts`.
        public var channel: String
    }

    /// The filters matching the aggregate topics of `channel` (`kpi` or `alerts`) of every site, area and line.
    public func aggregateFilters(_ channel: String) -> [String] {
        ["\(root)/+/\(channel)", "\(root)/+/+/\(channel)", "\(root)/+/+/+/\(channel)"]
    }

    /// Reads an aggregate topic (`{root}/{site}[/{area}[/{line}]]/kpi` or `…/alerts`) back; `nil` if it is not one.
    public func aggregateAddress(of topic: String) -> AggregateAddress? {
        guard topic.hasPrefix(root + "/") else { return nil }
        let levels = topic.dropFirst(root.count + 1).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...4).contains(levels.count), let channel = levels.last, channel == "kpi" || channel == "alerts",
              !levels.contains(where: \.isEmpty), !levels[0].hasPrefix("_") else { return nil }
        return AggregateAddress(site: levels[0], area: levels.count > 2 ? levels[1] : nil, line: levels.count > 3 ? levels[2] : nil, channel: channel)
    }

    /// Reads a machine topic back; `nil` if it is not one.
    public func address(of topic: String) -> Address? {
        // On the UTF-8 bytes (every message's topic is read here): the root, then five non-empty levels.
        var topic = topic
        return topic.withUTF8 { bytes -> Address? in
            var rootBytes = root
            let rootCount = rootBytes.withUTF8 { rootUTF8 -> Int? in
                guard bytes.count > rootUTF8.count, bytes[rootUTF8.count] == UInt8(ascii: "/"),
                      memcmp(bytes.baseAddress!, rootUTF8.baseAddress!, rootUTF8.count) == 0 else { return nil }
                return rootUTF8.count
            }
            guard let rootCount else { return nil }
            var levels: [String] = []
            levels.reserveCapacity(5)
            var start = rootCount + 1
            for index in start...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                guard index > start, levels.count < 5 else { return nil }
                levels.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                start = index + 1
            }
            guard levels.count == 5, let channel = Channel(rawValue: levels[4]) else { return nil }
            return Address(site: levels[0], area: levels[1], line: levels[2], machine: levels[3], channel: channel)
        }
    }
}

/// A topic root that cannot be used.
public struct TopicMapError: Error, Sendable, CustomStringConvertible {
    public let root: String
    public var description: String {
        "the topic root '\(root)' must be non-empty, without '+', '#', a leading '$' or empty levels"
    }
}
