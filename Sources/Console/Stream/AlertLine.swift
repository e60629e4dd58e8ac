import Foundation
import TwinModel
import TwinHubProtocol

/// One alert event as a line of text, for `twinhub console --plain` (and when there is no terminal): time,
/// severity, event, machine and message. Pure.
public enum AlertLine {
    /// `2026-11-22T10:00:01.000Z MAJOR    escalated   acme/leuven/fabrication/line-1/cnc-01 vibration_high: … (warning → major)`
    public static func plain(_ event: AlertEventMessage) -> String {
        let alert = event.alert
        var text = ISO8601Parsing.string(event.time) + " " + DisplayFormat.pad(alert.severity.rawValue.uppercased(), to: 8) + " "
            + DisplayFormat.pad(event.event, to: 12) + " " + alert.key.machine.description + " " + alert.key.rule + ": "
            + (alert.isActive || event.event != "open" ? "" : "cleared: ") + (alert.message.isEmpty ? alert.name : alert.message)
        if let previous = event.previousSeverity { text += " (\(previous.rawValue) → \(alert.severity.rawValue))" }
        if event.event == "acknowledged", let ack = alert.acknowledgement {
            text += " (by \(ack.by.isEmpty ? "someone" : ack.by)" + (ack.comment.isEmpty ? ")" : ": \(ack.comment))")
        }
        return printable(text)
    }

    /// `text` with control characters (escape sequences from a hostile payload, line breaks) made visible as `?`,
    /// so a line can be printed to a terminal safely.
    static func printable(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return String(result)
    }

    /// The NDJSON line of an event: its payload as the twin service sent it, on one line.
    public static func json(eventPayload: [UInt8]) -> String {
        String(decoding: eventPayload, as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
    }

    /// The NDJSON line of an alert already open when the console connected (its retained payload):
    /// `{"event":"open","ts":…,"alert":{…}}`, the shape of an event.
    public static func json(openAlertPayload: [UInt8], time: Date) -> String {
        "{\"event\":\"open\",\"ts\":\"\(ISO8601Parsing.string(time))\",\"alert\":" + json(eventPayload: openAlertPayload) + "}"
    }
}
