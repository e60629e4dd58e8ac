import Foundation

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
    public mutating func member(_ reading: TelemetrySample.Reading) {
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
