import Foundation

/// The JSON payloads of the machine topics: written by hand for speed (the simulator writes thousands
/// a second) and read by the strict ``JSONReader`` (input from the wire is never trusted). One of
/// possibly several codecs: a Sparkplug B codec can sit beside it later.
public enum JSONPayloads {
    /// `{"ts":…,"seq":…,"machine":…,"kind":…,"values":{"name":{"value":…,"unit":…},…}}`
    public static func telemetry(_ sample: TelemetrySample, machine: String, kind: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: sample.time)
        writer.field("seq", integer: Int(sample.sequence))
        writer.field("machine", string: machine)
        writer.field("kind", string: kind)
        writer.key("values")
        writer.open()
        for reading in sample.values { writer.member(reading) }
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// `{"ts":…,"seq":…,"state":…,"previous":…,"reason":…}`
    public static func state(_ change: StateChange) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: change.time)
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
        writer.field("ts", timestamp: counters.time)
        writer.field("seq", integer: Int(counters.sequence))
        writer.field("total", integer: counters.total)
        writer.field("good", integer: counters.good)
        writer.field("scrap", integer: counters.scrap)
        writer.field("ideal_cycle_time_s", number: counters.idealCycleTime.secondsValue)
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
            writer.field("duration", number: duration.secondsValue)
        }
        if let value = request.value { writer.field("value", number: value) }
        writer.close()
        return writer.bytes
    }

    /// The largest payload the decoders accept unless told otherwise.
    public static let defaultMaximumSize = 64 * 1024

    /// Reads a command. `duration` is seconds or text such as `"10m"`.
    /// - Throws: ``PayloadError`` saying what is wrong: not JSON, no command, unknown command, wrong type.
    public static func decodeCommand(_ bytes: [UInt8]) throws(PayloadError) -> MachineCommandRequest {
        let fields = try object(bytes, maximumSize: 4096, what: "a command")
        let name = try fields.string("command")
        guard let command = MachineCommand(rawValue: name) else {
            throw PayloadError(.invalidValue, "unknown command '\(name)'; commands: \(MachineCommand.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var request = MachineCommandRequest(command: command)
        request.fault = try fields.optionalString("fault")
        if let duration = fields["duration"] {
            let invalid = PayloadError(.invalidValue, "\"duration\" must be seconds (0 to 1e9) or text such as \"10m\"")
            switch duration {
            case .string(let text):
                guard let parsed = DurationText.parse(text) else { throw invalid }
                request.duration = parsed
            case .number(let seconds):
                guard let parsed = DurationText.duration(seconds: seconds) else { throw invalid }
                request.duration = parsed
            default:
                throw PayloadError(.wrongType, invalid.reason)
            }
        }
        if fields["value"] != nil { request.value = try fields.number("value") }
        return request
    }

    /// A decoded telemetry message: the sample and who sent it.
    public struct Telemetry: Sendable, Equatable {
        public var machine: String
        public var kind: String
        public var sample: TelemetrySample

        public init(machine: String, kind: String, sample: TelemetrySample) {
            self.machine = machine
            self.kind = kind
            self.sample = sample
        }
    }

    /// Reads a telemetry payload (the shape ``telemetry(_:machine:kind:)`` writes), readings sorted by name.
    /// - Throws: ``PayloadError``: too large, malformed JSON, a missing field, a wrong type, NaN or
    ///   Infinity, an invalid timestamp or sequence number.
    public static func decodeTelemetry(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(PayloadError) -> Telemetry {
        try TelemetryDecoder.decode(bytes, maximumSize: maximumSize)
    }

    /// Reads a state payload (the shape ``state(_:)`` writes).
    public static func decodeState(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(PayloadError) -> StateChange {
        let fields = try object(bytes, maximumSize: maximumSize, what: "a state")
        func state(_ key: String) throws(PayloadError) -> MachineState {
            let text = try fields.string(key)
            guard let state = MachineState(rawValue: text) else { throw PayloadError(.invalidValue, "\"\(key)\" '\(text)' is not a machine state") }
            return state
        }
        return StateChange(time: try fields.timestamp("ts"), sequence: try fields.sequence("seq", minimum: 0), state: try state("state"),
                           previous: try state("previous"), reason: try fields.optionalString("reason") ?? "")
    }

    /// Reads a counters payload (the shape ``counters(_:)`` writes).
    public static func decodeCounters(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(PayloadError) -> ProductionCounters {
        let fields = try object(bytes, maximumSize: maximumSize, what: "counters")
        func count(_ key: String) throws(PayloadError) -> Int {
            let value = try fields.number(key)
            guard value >= 0, value == value.rounded(), value < 1e15 else { throw PayloadError(.invalidValue, "\"\(key)\" must be a whole number ≥ 0") }
            return Int(value)
        }
        let total = try count("total"), good = try count("good"), scrap = try count("scrap")
        guard good + scrap == total else { throw PayloadError(.invalidValue, "good (\(good)) + scrap (\(scrap)) must equal total (\(total))") }
        let cycle = try fields.number("ideal_cycle_time_s")
        guard cycle > 0, let idealCycleTime = DurationText.duration(seconds: cycle) else {
            throw PayloadError(.invalidValue, "\"ideal_cycle_time_s\" must be positive")
        }
        return ProductionCounters(time: try fields.timestamp("ts"), sequence: try fields.sequence("seq", minimum: 1), total: total, good: good,
                                  scrap: scrap, idealCycleTime: idealCycleTime)
    }

    /// An acknowledgement of an alert: who and why.
    public struct Acknowledgement: Sendable, Equatable {
        public var by: String
        public var comment: String

        public init(by: String, comment: String) {
            self.by = by
            self.comment = comment
        }
    }

    /// Reads an acknowledgement: `{"by":"trainer","comment":"checked the coolant"}`, both optional; an
    /// empty payload is an anonymous acknowledgement.
    public static func decodeAcknowledgement(_ bytes: [UInt8]) throws(PayloadError) -> Acknowledgement {
        guard !bytes.isEmpty else { return Acknowledgement(by: "anonymous", comment: "") }
        let fields = try object(bytes, maximumSize: 4096, what: "an acknowledgement")
        let by = try fields.optionalString("by") ?? "anonymous"
        let comment = try fields.optionalString("comment") ?? ""
        guard !by.isEmpty, by.count <= 100 else { throw PayloadError(.invalidValue, "\"by\" must be 1 to 100 characters") }
        guard comment.count <= 1000 else { throw PayloadError(.invalidValue, "\"comment\" is at most 1000 characters") }
        return Acknowledgement(by: by, comment: comment)
    }

    /// Reads a desired state: `{"state":"stopped"}`.
    public static func decodeDesired(_ bytes: [UInt8]) throws(PayloadError) -> MachineState {
        let fields = try object(bytes, maximumSize: 4096, what: "a desired state")
        let text = try fields.string("state")
        guard let state = MachineState(rawValue: text) else { throw PayloadError(.invalidValue, "\"state\" '\(text)' is not a machine state") }
        return state
    }

    /// A decoded status: online or not, when (absent from a last will), why.
    public struct Status: Sendable, Equatable {
        public var online: Bool
        public var time: Date?
        public var reason: String

        public init(online: Bool, time: Date?, reason: String) {
            self.online = online
            self.time = time
            self.reason = reason
        }
    }

    /// Reads a status payload (the shape ``status(online:time:reason:)`` writes, last will included).
    public static func decodeStatus(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(PayloadError) -> Status {
        let fields = try object(bytes, maximumSize: maximumSize, what: "a status")
        let status = try fields.string("status")
        guard status == "online" || status == "offline" else { throw PayloadError(.invalidValue, "\"status\" must be online or offline, not '\(status)'") }
        return Status(online: status == "online", time: fields["ts"] == nil ? nil : try fields.timestamp("ts"),
                      reason: try fields.optionalString("reason") ?? "")
    }

    static func checkSize(_ bytes: [UInt8], maximumSize: Int, what: String) throws(PayloadError) {
        guard bytes.count <= maximumSize else {
            throw PayloadError(.tooLarge, "\(what) is at most \(maximumSize) bytes, this one is \(bytes.count)")
        }
    }

    static func object(_ bytes: [UInt8], maximumSize: Int, what: String) throws(PayloadError) -> JSONFields {
        try checkSize(bytes, maximumSize: maximumSize, what: what)
        guard case .object(let members) = try JSONReader.read(bytes) else { throw PayloadError(.wrongType, "\(what) must be a JSON object") }
        return JSONFields(members: members)
    }
}

/// Typed access to the members of a JSON object, with errors that name the field.
public struct JSONFields: Sendable {
    public let members: [String: JSON]

    public init(members: [String: JSON]) {
        self.members = members
    }

    /// Reads `bytes` as a JSON object of at most `maximumSize` bytes; `what` names it in errors ("a twin").
    public static func read(_ bytes: [UInt8], maximumSize: Int = JSONPayloads.defaultMaximumSize, what: String) throws(PayloadError) -> JSONFields {
        try JSONPayloads.object(bytes, maximumSize: maximumSize, what: what)
    }

    public subscript(key: String) -> JSON? { members[key] }

    public func string(_ key: String) throws(PayloadError) -> String {
        try Self.string(members[key], key)
    }

    /// `value`, the member `key`, as a string.
    static func string(_ value: JSON?, _ key: String) throws(PayloadError) -> String {
        guard let value else { throw PayloadError(.missingField, "missing \"\(key)\" (a string)") }
        guard case .string(let text) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be a string") }
        return text
    }

    public func optionalString(_ key: String) throws(PayloadError) -> String? {
        guard members[key] != nil else { return nil }
        return try string(key)
    }

    public func number(_ key: String) throws(PayloadError) -> Double {
        try Self.number(members[key], key)
    }

    static func number(_ value: JSON?, _ key: String) throws(PayloadError) -> Double {
        guard let value else { throw PayloadError(.missingField, "missing \"\(key)\" (a number)") }
        guard case .number(let number) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be a finite number") }
        return number
    }

    public func optionalNumber(_ key: String) throws(PayloadError) -> Double? {
        guard members[key] != nil else { return nil }
        return try number(key)
    }

    public func bool(_ key: String) throws(PayloadError) -> Bool {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (true or false)") }
        guard case .bool(let flag) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be true or false") }
        return flag
    }

    /// The object under `key`.
    public func object(_ key: String) throws(PayloadError) -> JSONFields {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (an object)") }
        guard case .object(let members) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be an object") }
        return JSONFields(members: members)
    }

    /// The object under `key`, or `nil` when it is absent.
    public func optionalObject(_ key: String) throws(PayloadError) -> JSONFields? {
        guard members[key] != nil else { return nil }
        return try object(key)
    }

    /// The numbers of the array under `key`.
    public func numbers(_ key: String) throws(PayloadError) -> [Double] {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (an array of numbers)") }
        guard case .array(let elements) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be an array of numbers") }
        var numbers: [Double] = []
        numbers.reserveCapacity(elements.count)
        for element in elements {
            guard case .number(let number) = element else { throw PayloadError(.wrongType, "\"\(key)\" must be an array of numbers") }
            numbers.append(number)
        }
        return numbers
    }

    public func sequence(_ key: String, minimum: Double) throws(PayloadError) -> UInt64 {
        try Self.sequence(members[key], key, minimum: minimum)
    }

    static func sequence(_ member: JSON?, _ key: String, minimum: Double) throws(PayloadError) -> UInt64 {
        let value = try number(member, key)
        guard value >= minimum, value == value.rounded(), value < 9e15 else {
            throw PayloadError(.invalidValue, "\"\(key)\" must be a whole number ≥ \(Int(minimum))")
        }
        return UInt64(value)
    }

    public func timestamp(_ key: String) throws(PayloadError) -> Date {
        try Self.timestamp(members[key], key)
    }

    static func timestamp(_ member: JSON?, _ key: String) throws(PayloadError) -> Date {
        let text = try string(member, key)
        guard let date = ISO8601Parsing.date(text) else {
            throw PayloadError(.invalidValue, "\"\(key)\" must be an ISO 8601 UTC time such as 2026-03-02T06:00:00.000Z, not '\(text.prefix(40))'")
        }
        return date
    }

    public func optionalTimestamp(_ key: String) throws(PayloadError) -> Date? {
        guard members[key] != nil else { return nil }
        return try timestamp(key)
    }
}

/// Why a payload could not be read: a code to count by, and the reason in words.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Reasons a payload is refused, each counted separately.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case tooLarge = "too_large"
        case malformedJSON = "malformed_json"
        case nonFinite = "non_finite"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case invalidValue = "invalid_value"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}

/// Appends JSON tokens to a byte buffer: objects, keys, strings and numbers, escaped as JSON requires.
/// Fast enough for thousands of payloads a second; used by every JSON payload TwinHub writes.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init() {
        bytes.reserveCapacity(512)
    }

    public mutating func open() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Appends JSON made ahead (see ``fragment``), exactly as this writer's own calls would write it here: members (a
    /// key and what follows it), with the comma due before them. One that `leavesOpen` ends inside a fresh object or
    /// array, so no comma comes before what follows.
    public mutating func append(fragment: [UInt8], leavesOpen: Bool) {
        separate()
        bytes.append(contentsOf: fragment)
        needsComma = !leavesOpen
    }

    /// What was written, in an array of its own size, to keep: ``bytes`` has the 512 bytes a writer reserves.
    public var fragment: [UInt8] { bytes.withUnsafeBufferPointer(Array.init) }

    /// A telemetry reading as a member of `values`: `"name":{"value":…,"unit":"…"}`.
    mutating func member(_ reading: TelemetrySample.Reading) {
        key(reading.property)
        open()
        field("value", number: reading.value)
        field("unit", string: reading.unit)
        close()
    }

    public mutating func field(_ name: String, string value: String) {
        key(name)
        appendString(value)
        needsComma = true
    }

    /// A time as ISO 8601 UTC with milliseconds (``ISO8601Parsing``), written without an intermediate string.
    public mutating func field(_ name: String, timestamp value: Date) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        ISO8601Parsing.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func field(_ name: String, integer value: Int) {
        key(name)
        appendInteger(Int64(value))
        needsComma = true
    }

    public mutating func field(_ name: String, bool value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func field(_ name: String, number value: Double) {
        key(name)
        appendNumber(value)
        needsComma = true
    }

    private mutating func appendNumber(_ value: Double) {
        if !value.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if value == 0, value.sign == .minus {
            bytes.append(contentsOf: "-0".utf8)  // as JSONEncoder writes it: the sign reads back
        } else if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value))
        } else if !appendShortDecimal(value) {
            bytes.append(contentsOf: String(value).utf8)
        }
        needsComma = true
    }

    private static let powersOfTen: [Double] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

    /// Writes `value` as digits and a point when it is the Double nearest a decimal of at most six places and 15
    /// significant digits (readings rounded to a property's decimals are), without the shortest-digits search of
    /// `description`. The text is the same: such a decimal is the only one of 15 digits or fewer that reads back as
    /// `value`, so it is also the shortest, and in this range `description` writes no exponent. Returns false
    /// otherwise.
    private mutating func appendShortDecimal(_ value: Double) -> Bool {
        let magnitude = abs(value)
        guard magnitude >= 1e-3, magnitude < 1e9 else { return false }
        for places in 1..<Self.powersOfTen.count {
            let scale = Self.powersOfTen[places]
            let scaled = (magnitude * scale).rounded()
            guard scaled < 1e15 else { return false }
            guard scaled / scale == magnitude else { continue }
            let digits = Int64(scaled), divisor = Int64(scale)
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            appendInteger(digits / divisor)
            bytes.append(UInt8(ascii: "."))
            var fraction = digits % divisor, unit = divisor / 10
            while unit > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(fraction / unit))
                fraction %= unit
                unit /= 10
            }
            return true
        }
        return false
    }

    public mutating func openArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A finite number as the next element or value; a non-finite one cannot be JSON and is refused, as `JSONEncoder`
    /// refuses it.
    public mutating func element(finite value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
        }
        element(number: value)
    }

    /// A number as the next element of an array (or the value after ``key(_:)``).
    public mutating func element(number value: Double) {
        separate()
        appendNumber(value)
        needsComma = true
    }

    /// A whole number, exactly (beyond 2^53 too), as the next element or value.
    public mutating func element<Integer: BinaryInteger>(integer value: Integer) {
        separate()
        if let small = Int64(exactly: value) { appendInteger(small) } else { bytes.append(contentsOf: String(value).utf8) }
        needsComma = true
    }

    /// Decimal digits written in place: no `String` per number.
    private mutating func appendInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        guard magnitude >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            while magnitude > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: buffer[start...])
        }
    }

    /// A string as the next element or value.
    public mutating func element(string value: String) {
        separate()
        appendString(value)
        needsComma = true
    }

    /// `true` or `false` as the next element or value.
    public mutating func element(bool value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// `null` as the next element or value.
    public mutating func elementNull() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// `data` as a Base64 string, the next element or value.
    public mutating func element(base64 data: Data) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: data.base64EncodedData())
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// JSON text written elsewhere (already valid), as the next element or value.
    public mutating func element(rawText text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (names, units, times) need no escaping: copied whole, from their contiguous UTF-8.
        let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
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
