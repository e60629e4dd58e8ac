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

    /// One NDJSON line: the payload as text when it is UTF-8, else as base64 under `payload_base64` (a capture file's
    /// message line without its time).
    static func jsonLine(_ message: MQTTMessage) -> String {
        CaptureCodec.line(message)
    }
}
