import Foundation
import Rules
import TwinHubMQTT
import TwinModel
import TwinServiceCore
import Twins
import TwinHubProtocol

/// Every decode and encode of the service, in one place: MQTT messages into the core's events, its publications into
/// topics and bytes (JSON today; another codec, Sparkplug B, can sit beside this one).
extension TwinService {
    /// The event `message` is, decoded here, off the core's lock; `nil` for a topic the service does not take.
    func event(of message: MQTTMessage) -> TwinServiceCore.Event? {
        let topics = options.topics
        let received = Date()
        if let address = topics.machineTopic(of: message.topic) {
            if message.payload.isEmpty { return .retainedDeleted(machine: address.machine, channel: address.channel, topic: message.topic) }
            let waited = message.receivedAt.map { ContinuousClock.now - $0 }
            let decoded = Result { () throws(PayloadError) in
                try JSONCodec.decodeMachineMessage(message.payload, channel: address.channel, maximumSize: options.maximumPayload)
            }
            return .machine(TwinServiceCore.MachineMessage(machine: address.machine, channel: address.channel, decoded: decoded,
                                                           topic: message.topic, payload: message.payload, received: received, waited: waited))
        }
        guard let alert = topics.alertTopic(of: message.topic), alert.isAcknowledgement else { return nil }
        let decoded = Result { () throws(PayloadError) in try JSONCodec.decodeAcknowledgement(message.payload) }
        return .acknowledgement(TwinServiceCore.AcknowledgementMessage(alert: alert.alert, decoded: decoded, topic: message.topic,
                                                                       payload: message.payload, received: received))
    }

    /// How `publication` goes out: its topic, bytes, QoS and retain flag.
    func encode(_ publication: TwinServiceCore.Publication) -> (topic: String, payload: [UInt8], qos: QoS, retain: Bool) {
        let topics = options.topics
        switch publication {
        case .snapshot(let twin):
            return (topics.topic(.twin, for: twin.address), JSONCodec.twin(twin), .atLeastOnce, true)
        case .history(let twin):
            return (topics.topic(.history, for: twin.address), JSONCodec.history(twin), .atLeastOnce, true)
        case .aggregate(let path, let sum):
            return (topics.aggregate(path), JSONCodec.kpi(path, machines: sum.machines, shift: sum.shift.oee, window: sum.window.oee),
                    .atLeastOnce, true)
        case .alertCounts(let path, let counts):
            return (topics.alertCounts(path), JSONCodec.alertCounts(path, counts), .atLeastOnce, true)
        case .alert(let alert):
            // A closed alert empties its retained topic.
            return (topics.alert(alert.key), alert.status == .closed ? [] : JSONCodec.alert(alert), .atLeastOnce, true)
        case .alertEvent(let event, let time):
            return (topics.alertEvents, JSONCodec.alertEvent(event, time: time), .atLeastOnce, false)
        case .metrics(let metrics):
            return (topics.serviceMetrics, JSONCodec.metrics(metrics), .atLeastOnce, true)
        case .deadLetter(let letter):
            return (topics.deadLetter(reason: letter.reason),
                    JSONCodec.deadLetter(topic: letter.topic, reason: letter.reason, detail: letter.detail, payload: letter.payload,
                                            time: letter.time),
                    .atMostOnce, false)
        case .command(let path, let command):
            return (topics.topic(.cmd, for: path), JSONCodec.command(command), .atLeastOnce, false)
        }
    }
}
