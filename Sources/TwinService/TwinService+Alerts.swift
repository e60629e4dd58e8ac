import Foundation
import Rules
import TwinHubMQTT
import TwinModel
import Twins
import TwinHubProtocol

/// Counters of the service's alert work, published with its metrics.
struct AlertStatistics: Sendable {
    var events = 0
    var acknowledged = 0
    var acknowledgementsRefused = 0
}

/// What became of an acknowledgement.
enum AcknowledgementOutcome {
    case applied([AlertEvent])
    case refused(reason: String, detail: String)
}

extension TwinService.State {
    mutating func noteAlertEvents(_ events: [AlertEvent]) {
        guard !events.isEmpty else { return }
        alertStatistics.events += events.count
        alertCountsChanged = true
    }

    /// Alert counts to publish, when they may have changed: every site, area and line with open alerts,
    /// and zeros for those whose last alert closed.
    mutating func takeAlertCounts() -> [(PlantPath, AlertCounts)] {
        guard alertCountsChanged else { return [] }
        alertCountsChanged = false
        let counts = rules.counts()
        var result = counts.map { ($0.key, $0.value) }
        for key in publishedCounts where counts[key] == nil { result.append((key, AlertCounts())) }
        publishedCounts = Set(counts.keys)
        return result
    }
}

extension TwinService {
    /// An acknowledgement from `…/alert/{rule}/ack`: applied, stored, then its events published. One
    /// that cannot be taken (unknown alert, already acknowledged, bad payload) is a counted dead letter.
    func acknowledge(_ target: AlertKey, message: MQTTMessage, client: MQTTClient) async {
        let address = target.machine
        let now = Date()
        let decoded = Result { () throws(PayloadError) in try JSONCodec.decodeAcknowledgement(message.payload) }
        let outcome = state.withLock { state -> AcknowledgementOutcome in
            let acknowledgement: AcknowledgementRequest
            switch decoded {
            case .success(let value): acknowledgement = value
            case .failure(let error):
                state.alertStatistics.acknowledgementsRefused += 1
                return .refused(reason: error.code.rawValue, detail: error.reason)
            }
            let result = Result { () throws(AlertError) in
                guard let twin = state.store.twins[address] else { throw AlertError(.unknownAlert, "no open alert \(address)/\(target.rule)") }
                // On the machine's clock, like every other time of the alert.
                let time = twin.kpi.accountedTime ?? twin.machineTime ?? now
                return try state.rules.acknowledge(twin, rule: target.rule, by: acknowledgement.by, comment: acknowledgement.comment, at: time)
            }
            switch result {
            case .success(let events):
                state.alertStatistics.acknowledged += 1
                state.noteAlertEvents(events)
                state.noteUnsaved(address)
                return .applied(events)
            case .failure(let error):
                state.alertStatistics.acknowledgementsRefused += 1
                return .refused(reason: error.code.rawValue, detail: error.reason)
            }
        }
        switch outcome {
        case .applied(let events):
            logger.info("alert \(address)/\(target.rule) acknowledged")
            await persist(only: [address])
            publish(events, client: client)
        case .refused(let reason, let detail):
            logger.warning("acknowledgement on \(message.topic) refused (\(reason)): \(detail)")
            send(client, options.topics.deadLetter(reason: reason),
                 JSONCodec.deadLetter(topic: message.topic, reason: reason, detail: detail, payload: message.payload, time: now),
                 qos: .atMostOnce, retain: false)
        }
    }

    /// Publishes events in order: each on the event stream, and its alert on the alert's retained topic
    /// (emptied when the alert closes).
    func publish(_ events: [AlertEvent], client: MQTTClient) {
        let now = Date()
        for event in events {
            let alert = event.alert
            logger.info("alert \(event.kind.rawValue): \(alert.id) \(alert.severity) \(alert.message)")
            send(client, options.topics.alertEvents, JSONCodec.alertEvent(event, time: now), qos: .atLeastOnce, retain: false)
            let topic = options.topics.alert(alert.key)
            send(client, topic, alert.status == .closed ? [] : JSONCodec.alert(alert), qos: .atLeastOnce, retain: true)
        }
    }

    /// Publishes every open alert again (retained): after a restart the broker may have lost them.
    func republishAlerts(client: MQTTClient) {
        let alerts = state.withLock { state in
            state.alertCountsChanged = true
            return state.rules.alerts
        }
        for alert in alerts {
            send(client, options.topics.alert(alert.key), JSONCodec.alert(alert), qos: .atLeastOnce, retain: true)
        }
    }
}
