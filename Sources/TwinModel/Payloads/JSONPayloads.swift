import Foundation

/// The JSON payloads of the machine topics: written by hand for speed (the simulator writes thousands
/// a second), read with `JSONSerialization` where input comes from outside (commands). One of possibly
/// several codecs: a Sparkplug B codec can sit beside it later.
public enum JSONPayloads {
    /// `{"ts":…,"seq":…,"machine":…,"kind":…,"values":{"name":{"value":…,"unit":…},…}}`
    public static func telemetry(_ sample: TelemetrySample, machine: String, kind: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(sample.time))
        writer.field("seq", integer: Int(sample.sequence))
        writer.field("machine", string: machine)
        writer.field("kind", string: kind)
        writer.key("values")
        writer.open()
        for reading in sample.values {
            writer.key(reading.property)
            writer.open()
            writer.field("value", number: reading.value)
            writer.field("unit", string: reading.unit)
            writer.close()
        }
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// `{"ts":…,"seq":…,"state":…,"previous":…,"reason":…}`
    public static func state(_ change: StateChange) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(change.time))
        writer.field("seq", integer: Int(change.sequence))
        writer.field("state", string: change.state.rawValue)
        writer.field("previous", string: change.previous.rawValue)
        writer.field("reason", string: change.reason)
        writer.close()
        return writer.bytes
    }

    /// `{"ts":…,"seq":…,"total":…,"good":…,"scrap":…,"ideal_cycle_time_s":…}`
    public static func counters(_ counters: ProductionCounters) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", string: ISO8601Parsing.string(counters.time))
        writer.field("seq", integer: Int(counters.sequence))
        writer.field("total", integer: counters.total)
        writer.field("good", integer: counters.good)
        writer.field("scrap", integer: counters.scrap)
        let (seconds, attoseconds) = counters.idealCycleTime.components
        writer.field("ideal_cycle_time_s", number: Double(seconds) + Double(attoseconds) / 1e18)
        writer.close()
        return writer.bytes
    }

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

    /// The JSON of a command: `{"command":"inject_fault","fault":"coolant_loss","duration":"10m"}`.
    public static func command(_ request: MachineCommandRequest) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("command", string: request.command.rawValue)
        if let fault = request.fault { writer.field("fault", string: fault) }
        if let duration = request.duration {
            let (seconds, attoseconds) = duration.components
            writer.field("duration", number: Double(seconds) + Double(attoseconds) / 1e18)
        }
        if let value = request.value { writer.field("value", number: value) }
        writer.close()
        return writer.bytes
    }

    /// Reads a command. `duration` is seconds or text such as `"10m"`.
    /// - Throws: ``PayloadError`` saying what is wrong: not JSON, no command, unknown command, wrong type.
    public static func decodeCommand(_ bytes: [UInt8]) throws(PayloadError) -> MachineCommandRequest {
        guard bytes.count <= 4096 else { throw PayloadError("a command is at most 4096 bytes, this one is \(bytes.count)") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw PayloadError("not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw PayloadError("a command must be a JSON object") }
        guard let name = fields["command"] as? String else { throw PayloadError("missing \"command\" (a string)") }
        guard let command = MachineCommand(rawValue: name) else {
            throw PayloadError("unknown command '\(name)'; commands: \(MachineCommand.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var request = MachineCommandRequest(command: command)
        if let fault = fields["fault"] {
            guard let text = fault as? String else { throw PayloadError("\"fault\" must be a string") }
            request.fault = text
        }
        if let duration = fields["duration"] {
            if let text = duration as? String, let parsed = DurationText.parse(text) {
                request.duration = parsed
            } else if let seconds = JSONValue.number(duration), let parsed = DurationText.duration(seconds: seconds) {
                request.duration = parsed
            } else {
                throw PayloadError("\"duration\" must be seconds (0 to 1e9) or text such as \"10m\"")
            }
        }
        if let value = fields["value"] {
            guard let number = JSONValue.number(value), number.isFinite else {
                throw PayloadError("\"value\" must be a finite number")
            }
            request.value = number
        }
        return request
    }
}

/// Why a payload could not be read.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Appends JSON tokens to a byte buffer: objects, keys, strings and numbers, escaped as JSON requires.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func open() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func field(_ name: String, string value: String) {
        key(name)
        appendString(value)
        needsComma = true
    }

    mutating func field(_ name: String, integer value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func field(_ name: String, number value: Double) {
        key(name)
        if !value.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
