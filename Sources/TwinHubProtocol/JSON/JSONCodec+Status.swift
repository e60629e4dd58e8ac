import Foundation
import TwinModel

/// Status (`…/{machine}/status`, QoS 1, retained): online, or offline from the last will.
extension JSONCodec {
    /// `{"status":"online"|"offline","ts":…,"reason":…}`; `ts` is absent from the last will (written at connect time).
    public static func status(online: Bool, time: Date?, reason: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("status", string: online ? "online" : "offline")
        if let time { writer.field("ts", string: ISO8601Parsing.string(time)) }
        writer.field("reason", string: reason)
        writer.close()
        return writer.bytes
    }

    /// Reads a status payload (the shape ``status(online:time:reason:)`` writes, last will included).
    public static func decodeStatus(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize) throws(PayloadError) -> MachineStatus {
        let fields = try JSONFields.read(bytes, maximumSize: maximumSize, what: "a status")
        let status = try fields.string("status")
        guard status == "online" || status == "offline" else { throw PayloadError(.invalidValue, "\"status\" must be online or offline, not '\(status)'") }
        return MachineStatus(online: status == "online", time: fields["ts"] == nil ? nil : try fields.timestamp("ts"),
                      reason: try fields.optionalString("reason") ?? "")
    }
}
