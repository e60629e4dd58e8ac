import Foundation
import TwinModel

/// Why a message of the twin service could not be read: its topic and the reason. Screens count these and show
/// the last.
public struct ServiceMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var topic: String
    public var error: PayloadError

    public var description: String { "\(topic): \(error)" }
}

/// Turns what the twin service publishes into ``ServiceMessage``s, for every screen (the console today). Pure:
/// topics and payloads in, values out.
public struct ServiceMessageDecoder: Sendable {
    public let topics: TopicMap
    /// The largest payload read (history snapshots are the largest the service sends).
    public var maximumSize = 256 * 1024

    public init(topics: TopicMap) {
        self.topics = topics
    }

    /// The state the console shows, all retained: twins, aggregate KPIs and the service's metrics. Histories are
    /// subscribed per selected machine (``historyTopic(for:)``).
    public var stateFilters: [String] {
        [topics.filter(.twin), topics.serviceMetrics] + topics.aggregateFilters(.kpi)
    }

    /// Open alerts (retained) and their lifecycle events, which must not be missed.
    public var alertFilters: [String] {
        [topics.alertFilter, topics.alertEvents]
    }

    /// The history topic of one machine.
    public func historyTopic(for key: PlantPath) -> String {
        topics.topic(.history, for: key)
    }

    /// The update `payload` on `topic` brings; `nil` for a topic the console does not show.
    /// - Throws: ``ServiceMessageError`` with the topic and why, for a payload that cannot be read.
    public func decode(topic: String, payload: [UInt8]) throws(ServiceMessageError) -> ServiceMessage? {
        do {
            return try update(topic: topic, payload: payload)
        } catch {
            throw ServiceMessageError(topic: topic, error: error)
        }
    }

    private func update(topic: String, payload: [UInt8]) throws(PayloadError) -> ServiceMessage? {
        if topic == topics.alertEvents {
            return .event(try JSONCodec.decodeAlertEvent(JSONFields.read(payload, maximumSize: maximumSize, what: "an alert event")))
        }
        if topic == topics.serviceMetrics {
            return .metrics(try JSONCodec.decodeMetrics(payload, maximumSize: maximumSize))
        }
        if let address = topics.alertTopic(of: topic) {
            guard !address.isAcknowledgement else { return nil }
            let key = address.alert
            if payload.isEmpty { return .alertRemoved(key) }
            let alert = try JSONCodec.decodeAlert(JSONFields.read(payload, maximumSize: maximumSize, what: "an alert"))
            guard alert.key == key else { throw PayloadError(.invalidValue, "the alert is \(alert.key), not the one of its topic") }
            return .alert(alert)
        }
        if let address = topics.machineTopic(of: topic) {
            let key = address.machine
            switch address.channel {
            case .twin:
                if payload.isEmpty { return .twinRemoved(key) }
                return .twin(try JSONCodec.decodeTwin(JSONFields.read(payload, maximumSize: maximumSize, what: "a twin"), key: key))
            case .history:
                guard !payload.isEmpty else { return .history(key, [:]) }
                return .history(key, try JSONCodec.decodeHistory(JSONFields.read(payload, maximumSize: maximumSize, what: "a history")))
            default:
                return nil
            }
        }
        if let address = topics.aggregateTopic(of: topic), address.channel == .kpi, !payload.isEmpty {
            return .aggregate(try JSONCodec.decodeKPI(JSONFields.read(payload, maximumSize: maximumSize, what: "aggregate KPIs"), path: address.path))
        }
        return nil
    }
}
