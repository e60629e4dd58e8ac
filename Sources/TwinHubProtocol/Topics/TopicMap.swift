import Foundation
import TwinModel

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

    /// A machine topic read back: which machine, and what it carries.
    public struct MachineTopic: Sendable, Hashable {
        public var machine: PlantPath
        public var channel: Channel

        public init(machine: PlantPath, channel: Channel) {
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
    public func topic(_ channel: Channel, for machine: PlantPath) -> String {
        "\(root)/\(machine)/\(channel.rawValue)"
    }

    /// The filter matching `channel` of every machine under the root.
    public func filter(_ channel: Channel) -> String {
        "\(root)/+/+/+/+/\(channel.rawValue)"
    }

    /// The filter matching `channel` of every machine of `line` (a line's path): what an instance holding the line's
    /// lease subscribes to.
    public func filter(_ channel: Channel, under line: PlantPath) -> String {
        "\(root)/\(line)/+/\(channel.rawValue)"
    }

    /// Aggregate KPIs of a site, area or line (retained): `{root}/{site}[/{area}[/{line}]]/kpi`.
    public func aggregate(_ path: PlantPath) -> String {
        "\(root)/\(path)/\(AggregateChannel.kpi.rawValue)"
    }

    /// Where refused messages go, with their reason: `{root}/_deadletter/{reason}`.
    public func deadLetter(reason: String) -> String { "\(root)/_deadletter/\(reason)" }

    /// The twin service's own metrics (retained).
    public var serviceMetrics: String { "\(root)/_twinhub/metrics" }

    // MARK: Alerts

    /// An open alert of a machine and a rule (retained; emptied when the alert closes):
    /// `{root}/{site}/{area}/{line}/{machine}/alert/{rule}`.
    public func alert(_ alert: AlertKey) -> String {
        "\(root)/\(alert.machine)/alert/\(alert.rule)"
    }

    /// The filter matching every open alert.
    public var alertFilter: String { "\(root)/+/+/+/+/alert/+" }

    /// Where an alert is acknowledged: its topic followed by `/ack`.
    public func alertAcknowledgement(_ alert: AlertKey) -> String {
        self.alert(alert) + "/ack"
    }

    /// The filter matching every acknowledgement.
    public var alertAcknowledgementFilter: String { "\(root)/+/+/+/+/alert/+/ack" }

    /// The filter matching every acknowledgement of the machines of `line`.
    public func alertAcknowledgementFilter(under line: PlantPath) -> String { "\(root)/\(line)/+/alert/+/ack" }

    /// Every alert lifecycle event, in order (QoS 1, not retained).
    public var alertEvents: String { "\(root)/_alerts/events" }

    /// Counts of open alerts of a site, area or line (retained): `{root}/{site}[/{area}[/{line}]]/alerts`.
    public func alertCounts(_ path: PlantPath) -> String {
        "\(root)/\(path)/\(AggregateChannel.alerts.rawValue)"
    }

    /// An alert or acknowledgement topic read back.
    public struct AlertTopic: Sendable, Hashable {
        public var alert: AlertKey
        /// Whether the topic is the acknowledgement topic.
        public var isAcknowledgement: Bool

        public init(alert: AlertKey, isAcknowledgement: Bool) {
            self.alert = alert
            self.isAcknowledgement = isAcknowledgement
        }
    }

    /// Reads an alert or acknowledgement topic back; `nil` if it is neither.
    public func alertTopic(of topic: String) -> AlertTopic? {
        guard topic.hasPrefix(root + "/") else { return nil }
        let levels = topic.dropFirst(root.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count == 6 || levels.count == 7, levels[4] == "alert", !levels.contains(where: \.isEmpty),
              let machine = PlantPath(levels: levels[0..<4]) else { return nil }
        if levels.count == 7 && levels[6] != "ack" { return nil }
        return AlertTopic(alert: AlertKey(machine: machine, rule: String(levels[5])), isAcknowledgement: levels.count == 7)
    }

    /// What the topic of a site, area or line carries.
    public enum AggregateChannel: String, Sendable, Hashable, CaseIterable {
        /// Aggregate KPIs (retained).
        case kpi
        /// Counts of open alerts (retained).
        case alerts
    }

    /// An aggregate topic read back: which site, area or line, and what it carries.
    public struct AggregateTopic: Sendable, Hashable {
        public var path: PlantPath
        public var channel: AggregateChannel

        public init(path: PlantPath, channel: AggregateChannel) {
            self.path = path
            self.channel = channel
        }
    }

    /// The filters matching the aggregate topics of `channel` of every site, area and line.
    public func aggregateFilters(_ channel: AggregateChannel) -> [String] {
        ["\(root)/+/\(channel.rawValue)", "\(root)/+/+/\(channel.rawValue)", "\(root)/+/+/+/\(channel.rawValue)"]
    }

    /// Reads an aggregate topic (`{root}/{site}[/{area}[/{line}]]/kpi` or `…/alerts`) back; `nil` if it is not one.
    public func aggregateTopic(of topic: String) -> AggregateTopic? {
        guard topic.hasPrefix(root + "/") else { return nil }
        let levels = topic.dropFirst(root.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard (2...4).contains(levels.count), let channel = levels.last.flatMap({ AggregateChannel(rawValue: String($0)) }),
              !levels[0].hasPrefix("_"), let path = PlantPath(levels: levels.dropLast()) else { return nil }
        return AggregateTopic(path: path, channel: channel)
    }

    /// Whether `topic` looks like a machine's telemetry topic under the root (a quick test on its ends, for shedding;
    /// ``machineTopic(of:)`` reads it properly).
    public func isTelemetryTopic(_ topic: String) -> Bool {
        topic.utf8.count > root.utf8.count + 1 && topic.hasPrefix(root) && topic.hasSuffix("/" + Channel.telemetry.rawValue)
    }

    /// Reads a machine topic back; `nil` if it is not one.
    public func machineTopic(of topic: String) -> MachineTopic? {
        // On the UTF-8 bytes (every message's topic is read here): the root, then five non-empty levels.
        var topic = topic
        return topic.withUTF8 { bytes -> MachineTopic? in
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
            return MachineTopic(machine: PlantPath(site: levels[0], area: levels[1], line: levels[2], machine: levels[3]), channel: channel)
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
