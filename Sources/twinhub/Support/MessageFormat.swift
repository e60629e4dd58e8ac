import Foundation
import TwinHubMQTT

/// How `twinhub sub` prints a message: payload, `topic payload`, or one JSON object.
struct MessageFormat: Sendable {
    let json: Bool
    let verbose: Bool

    func render(_ message: MQTTMessage) -> String {
        if json { return Self.jsonLine(message) }
        let payload = message.payloadString ?? "<\(message.payload.count) bytes binary: base64 \(Data(message.payload).base64EncodedString())>"
        return verbose ? "\(message.topic) \(payload)" : payload
    }

    /// One NDJSON line: the payload as text when it is UTF-8, else as base64 under `payload_base64`.
    static func jsonLine(_ message: MQTTMessage) -> String {
        var object: [String: Any] = ["topic": message.topic, "qos": Int(message.qos.rawValue), "retain": message.retain]
        if let text = message.payloadString {
            object["payload"] = text
        } else {
            object["payload_base64"] = Data(message.payload).base64EncodedString()
        }
        var properties: [String: Any] = [:]
        if let contentType = message.properties.contentType { properties["content_type"] = contentType }
        if let expiry = message.properties.messageExpiry { properties["message_expiry"] = Int(expiry) }
        if !message.properties.userProperties.isEmpty {
            properties["user_properties"] = message.properties.userProperties.map { [$0.name, $0.value] }
        }
        if !properties.isEmpty { object["properties"] = properties }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
