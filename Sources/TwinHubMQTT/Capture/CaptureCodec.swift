import Foundation

/// The capture file format: NDJSON, one JSON object per line. The first line is the header,
/// `{"format":"twinhub-capture","version":1,"started":"2026-03-02T06:00:00.000Z","broker":"mqtt://…","filters":["acme/#"]}`;
/// every other line is a message, `{"t":1.25,"topic":"…","qos":1,"retain":false,"payload":"…"}`, with `t` in seconds
/// after `started`, the payload as text when it is UTF-8 and as `payload_base64` otherwise (Sparkplug's protobuf), and
/// MQTT 5 `properties` (`content_type`, `message_expiry`, `user_properties` as name/value pairs) when it had any.
/// Members other than these are ignored, so later versions may add some.
public enum CaptureCodec {
    /// The header line (without its line break).
    public static func line(_ header: CaptureHeader) -> String {
        let object: [String: Any] = ["format": CaptureHeader.format, "version": CaptureHeader.version,
                                     "started": Self.timestamp(header.started), "broker": header.broker, "filters": header.filters]
        return Self.json(object)
    }

    /// A message's line (without its line break).
    public static func line(_ message: CapturedMessage) -> String {
        var object = Self.members(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
                                  properties: message.properties)
        object["t"] = (message.offset * 1_000_000).rounded() / 1_000_000
        return Self.json(object)
    }

    /// A received message as one JSON line, as a capture's message line without its time (`twinhub sub --json`).
    public static func line(_ message: MQTTMessage) -> String {
        Self.json(Self.members(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
                               properties: message.properties))
    }

    private static func members(topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: PublishProperties) -> [String: Any] {
        var object: [String: Any] = ["topic": topic, "qos": Int(qos.rawValue), "retain": retain]
        if let text = String(validating: payload, as: UTF8.self) {
            object["payload"] = text
        } else {
            object["payload_base64"] = Data(payload).base64EncodedString()
        }
        var given: [String: Any] = [:]
        if let contentType = properties.contentType { given["content_type"] = contentType }
        if let expiry = properties.messageExpiry { given["message_expiry"] = Int(expiry) }
        if !properties.userProperties.isEmpty { given["user_properties"] = properties.userProperties.map { [$0.name, $0.value] } }
        if !given.isEmpty { object["properties"] = given }
        return object
    }

    /// Reads a header line.
    /// - Throws: ``CaptureError`` at line 1 saying what is missing or wrong.
    public static func header(_ text: Substring) throws(CaptureError) -> CaptureHeader {
        let object = try Self.object(text, line: 1)
        guard object["format"] as? String == CaptureHeader.format else {
            throw CaptureError(line: 1, "not a TwinHub capture: the first line's \"format\" is not \"\(CaptureHeader.format)\"")
        }
        guard let version = object["version"] as? Int else { throw CaptureError(line: 1, "the header has no \"version\"") }
        guard version <= CaptureHeader.version else {
            throw CaptureError(line: 1, "version \(version) is newer than this twinhub reads (\(CaptureHeader.version))")
        }
        guard let started = (object["started"] as? String).flatMap(Self.date) else {
            throw CaptureError(line: 1, "\"started\" is not an ISO 8601 time")
        }
        return CaptureHeader(started: started, broker: object["broker"] as? String ?? "",
                             filters: object["filters"] as? [String] ?? [])
    }

    /// Reads a message line; `line` is its number in the file, for errors.
    /// - Throws: ``CaptureError`` saying which member is missing or wrong.
    public static func message(_ text: Substring, line: Int) throws(CaptureError) -> CapturedMessage {
        let object = try Self.object(text, line: line)
        guard let offset = object["t"] as? Double, offset.isFinite, offset >= 0 else {
            throw CaptureError(line: line, "\"t\" must be a number of seconds, 0 or more")
        }
        guard let topic = object["topic"] as? String else { throw CaptureError(line: line, "\"topic\" is missing") }
        do {
            try Topic.validateName(topic)
        } catch {
            throw CaptureError(line: line, "\"topic\": \(error.description)")
        }
        guard let qosNumber = object["qos"] as? Int, let qos = QoS(rawValue: Int32(qosNumber)) else {
            throw CaptureError(line: line, "\"qos\" must be 0, 1 or 2")
        }
        guard let retain = object["retain"] as? Bool else { throw CaptureError(line: line, "\"retain\" must be true or false") }
        let payload: [UInt8]
        if let text = object["payload"] as? String {
            payload = Array(text.utf8)
        } else if let encoded = object["payload_base64"] as? String {
            guard let data = Data(base64Encoded: encoded) else { throw CaptureError(line: line, "\"payload_base64\" is not base64") }
            payload = Array(data)
        } else {
            throw CaptureError(line: line, "give \"payload\" (text) or \"payload_base64\"")
        }
        var properties = PublishProperties()
        if let given = object["properties"] as? [String: Any] {
            properties.contentType = given["content_type"] as? String
            properties.messageExpiry = (given["message_expiry"] as? Int).flatMap { UInt32(exactly: $0) }
            for pair in given["user_properties"] as? [[String]] ?? [] where pair.count == 2 {
                properties.userProperties.append(.init(pair[0], pair[1]))
            }
        }
        return CapturedMessage(offset: offset, topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
    }

    // MARK: JSON

    private static func object(_ text: Substring, line: Int) throws(CaptureError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw CaptureError(line: line, "not JSON: \(error.localizedDescription)")
        }
        guard let object = parsed as? [String: Any] else { throw CaptureError(line: line, "not a JSON object") }
        return object
    }

    private static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    private static func date(_ text: String) -> Date? {
        if let precise = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
            return precise
        }
        // Without a time zone: UTC, as the header is written.
        return try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
