/// A JSON value, as read by ``JSONReader``.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

/// A strict JSON reader for payloads from the wire (RFC 8259): no NaN or Infinity, no numbers that
/// overflow a `Double`, no duplicate keys, valid UTF-8 only, nesting at most `maximumDepth` deep. Every
/// failure says where (byte offset) and why, with a ``PayloadError/Code`` to count it by.
public struct JSONReader {
    public static let maximumDepth = 32

    let bytes: [UInt8]
    private(set) var position = 0
    private var depth = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads one JSON document that fills `bytes` (whitespace around it allowed).
    public static func read(_ bytes: [UInt8]) throws(PayloadError) -> JSON {
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.malformed("unexpected text after the JSON value") }
        return value
    }

    mutating func value() throws(PayloadError) -> JSON {
        guard position < bytes.count else { throw malformed("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw PayloadError(.nonFinite, "NaN and Infinity are not JSON numbers (at byte \(position))")
        default:
            throw malformed("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    private mutating func object() throws(PayloadError) -> JSON {
        var fields: [String: JSON] = [:]
        try members { reader, key, keyStart throws(PayloadError) in
            let member = try reader.value()
            guard fields.updateValue(member, forKey: key) == nil else { throw Self.duplicate(key, at: keyStart) }
        }
        return .object(fields)
    }

    /// Reads the object at its `{`: `member` is called with each key and where it starts, the reader at its value,
    /// and must read the value. Finding duplicate keys is the caller's business (see ``duplicate(_:at:)``).
    mutating func members(_ member: (inout JSONReader, _ key: String, _ keyStart: Int) throws(PayloadError) -> Void) throws(PayloadError) {
        try enter()
        position += 1
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            position += 1
            leave()
            return
        }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else { throw malformed("expected a key in quotes") }
            let keyStart = position
            let key = try string()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw malformed("expected ':' after key \"\(key)\"") }
            position += 1
            skipWhitespace()
            try member(&self, key, keyStart)
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { position += 1; continue }
            if peek(UInt8(ascii: "}")) { position += 1; break }
            throw malformed("expected ',' or '}' in an object")
        }
        leave()
    }

    /// The error for a key seen twice in one object.
    static func duplicate(_ key: String, at keyStart: Int) -> PayloadError {
        PayloadError(.malformedJSON, "duplicate key \"\(key)\" (at byte \(keyStart))")
    }

    private mutating func array() throws(PayloadError) -> JSON {
        try enter()
        position += 1
        var elements: [JSON] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { position += 1; continue }
            if peek(UInt8(ascii: "]")) { position += 1; break }
            throw malformed("expected ',' or ']' in an array")
        }
        depth -= 1
        return .array(elements)
    }

    /// Enters an object or array (checking the depth); ``leave()`` when it ends.
    mutating func enter() throws(PayloadError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw PayloadError(.malformedJSON, "nested deeper than \(Self.maximumDepth) levels (at byte \(position))")
        }
    }

    mutating func leave() {
        depth -= 1
    }

    /// Steps over one byte already checked with ``peek(_:)``.
    mutating func advance() {
        position += 1
    }

    /// A string at the opening quote. Plain ASCII without escapes (keys, units, names) takes a fast path.
    mutating func string() throws(PayloadError) -> String {
        position += 1  // opening quote
        let start = position
        var end = position
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                position = end + 1
                return String(decoding: bytes[start..<end], as: UTF8.self)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { break }
            end += 1
        }
        var scalars = Array(bytes[start..<end])
        position = end
        while true {
            guard position < bytes.count else { throw malformed("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw PayloadError(.malformedJSON, "a string is not valid UTF-8 (before byte \(position))")
                }
                return text
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw malformed("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw malformed("unpaired surrogate in \\u escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw malformed("unpaired surrogate in \\u escape") }
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw malformed("unpaired surrogate in \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw malformed("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw malformed("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            case 0..<0x20:
                throw malformed("a control character in a string must be escaped")
            default:
                scalars.append(byte)
            }
        }
    }

    private mutating func hex4() throws(PayloadError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw malformed("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw malformed("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and finite as a `Double`.
    mutating func number() throws(PayloadError) -> Double {
        let start = position
        // The digits as an integer while they fit, for the exact fast path below.
        var mantissa: UInt64 = 0, significant = 0, exponent = 0
        func digits(fraction: Bool = false) -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[position] - UInt8(ascii: "0"))
                    if mantissa > 0 { significant += 1 }
                    if fraction { exponent -= 1 }
                } else if !fraction {
                    significant += 1
                    exponent += 1
                }
                position += 1
            }
            return position - first
        }
        let negative = peek(UInt8(ascii: "-"))
        if negative { position += 1 }
        if peek(UInt8(ascii: "0")) {
            position += 1
        } else if digits() == 0 {
            throw malformed("a number needs digits")
        }
        if peek(UInt8(ascii: ".")) {
            position += 1
            guard digits(fraction: true) > 0 else { throw malformed("a number needs digits after '.'") }
        }
        var exact = significant <= 15
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            position += 1
            let exponentNegative = peek(UInt8(ascii: "-"))
            if peek(UInt8(ascii: "+")) || exponentNegative { position += 1 }
            let first = position
            var written = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                if written < 10_000 { written = written * 10 + Int(bytes[position] - UInt8(ascii: "0")) }
                position += 1
            }
            guard position > first else { throw malformed("a number needs digits in its exponent") }
            exponent += exponentNegative ? -written : written
            exact = exact && written < 10_000
        }
        // At most 15 significant digits and a power of ten up to 22 are exact doubles, so one multiplication or
        // division rounds correctly (Clinger's fast path); anything else goes to the full conversion.
        if exact, (-22...22).contains(exponent) {
            let magnitude = exponent < 0 ? Double(mantissa) / Self.powersOfTen[-exponent] : Double(mantissa) * Self.powersOfTen[exponent]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw PayloadError(.nonFinite, "the number \(text.prefix(32)) does not fit a double (at byte \(start))")
        }
        return value
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    private mutating func literal(_ word: StaticString) throws(PayloadError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard position + expected.count <= bytes.count, bytes[position..<(position + expected.count)].elementsEqual(expected) else {
            throw malformed("unexpected text")
        }
        position += expected.count
    }

    func peek(_ byte: UInt8) -> Bool {
        position < bytes.count && bytes[position] == byte
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Whether everything was read (only whitespace after the last value).
    var atEnd: Bool { position == bytes.count }

    func malformed(_ why: String) -> PayloadError {
        PayloadError(.malformedJSON, "\(why) (at byte \(position))")
    }
}
