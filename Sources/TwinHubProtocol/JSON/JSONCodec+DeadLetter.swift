import Foundation
import TwinModel

/// A refused message with its reason (`{root}/_deadletter/{reason}`, QoS 0).
extension JSONCodec {
    /// A refused message with its reason, for the dead-letter topic.
    public static func deadLetter(topic: String, reason: String, detail: String, payload: [UInt8], time: Date) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(time))
        writer.field("topic", string: topic)
        writer.field("reason", string: reason)
        writer.field("detail", string: detail)
        let shown = Array(payload.prefix(1024))
        if let text = String(validating: shown, as: UTF8.self) {
            writer.field("payload", string: text)
        } else {
            writer.field("payload_base64", string: Data(shown).base64EncodedString())
        }
        if payload.count > shown.count { writer.field("payload_bytes", integer: payload.count) }
        writer.close()
        return writer.bytes
    }
}
