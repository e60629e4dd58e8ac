/// A strict JSON reader (RFC 8259) that keeps each value's line, column and JSON path.
///
/// Written for DTDL rather than reading JSON through Yams: libyaml reads YAML 1.1, which differs from JSON at the edges
/// (`\/` escapes, tabs, implicit keys longer than 1024 characters), and a DTDL file is JSON. Duplicate keys are errors,
/// nesting is bounded, and every failure says where.
struct PositionedJSONReader {
    /// The deepest nesting read; DTDL documents are far shallower.
    static let maximumDepth = 200

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    private var depth = 0

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// The failure of a read: where, and why.
    struct Failure: Error {
        var line: Int
        var column: Int
        var path: String
        var reason: String
    }

    /// Reads one JSON document that fills `text` (whitespace around it allowed; a leading byte-order mark skipped).
    static func read(_ text: String) throws(Failure) -> JSONNode {
        var reader = PositionedJSONReader(text)
        if reader.scalars.first == "\u{FEFF}" { reader.index = 1 }
        reader.skipWhitespace()
        let root = try reader.value(path: "")
        reader.skipWhitespace()
        guard reader.index == reader.scalars.count else { throw reader.failure("unexpected text after the JSON value", path: "") }
        return root
    }

    private func failure(_ reason: String, path: String) -> Failure {
        Failure(line: line, column: column, path: path, reason: reason)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { advance() }
    }

    private mutating func value(path: String) throws(Failure) -> JSONNode {
        guard let scalar = current else { throw failure("unexpected end of the file", path: path) }
        let (startLine, startColumn) = (line, column)
        let value: JSONNode.Value
        switch scalar {
        case "{": value = try object(path: path)
        case "[": value = try array(path: path)
        case "\"": value = .string(try string(path: path))
        case "t": try literal("true", path: path); value = .bool(true)
        case "f": try literal("false", path: path); value = .bool(false)
        case "n": try literal("null", path: path); value = .null
        case "-", "0"..."9": value = try number(path: path)
        default: throw failure("unexpected character '\(scalar)'", path: path)
        }
        return JSONNode(value: value, line: startLine, column: startColumn, path: path)
    }

    /// Steps into an object or array at its opening bracket; `false` if it closes at once (`{}`, `[]`).
    private mutating func enter(_ close: Unicode.Scalar, path: String) throws(Failure) -> Bool {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) levels deep", path: path) }
        advance()
        skipWhitespace()
        guard current == close else { return true }
        advance()
        depth -= 1
        return false
    }

    /// After a member or an element: `true` at a `,` (another follows), `false` at `close` (the end); an error otherwise.
    private mutating func another(_ close: Unicode.Scalar, in what: String, path: String) throws(Failure) -> Bool {
        skipWhitespace()
        if current == "," {
            advance()
            skipWhitespace()
            return true
        }
        guard current == close else { throw failure("expected ',' or '\(close)' in \(what)", path: path) }
        advance()
        depth -= 1
        return false
    }

    private mutating func object(path: String) throws(Failure) -> JSONNode.Value {
        var members: [JSONNode.Member] = []
        var more = try enter("}", path: path)
        while more {
            guard current == "\"" else { throw failure("expected a key in double quotes", path: path) }
            let (keyLine, keyColumn) = (line, column)
            let key = try string(path: path)
            if members.contains(where: { $0.key == key }) {
                throw Failure(line: keyLine, column: keyColumn, path: path, reason: "duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard current == ":" else { throw failure("expected ':' after the key \"\(key)\"", path: path) }
            advance()
            skipWhitespace()
            let member = try value(path: path + "/" + Self.escape(key))
            members.append(.init(key: key, keyLine: keyLine, keyColumn: keyColumn, value: member))
            more = try another("}", in: "an object", path: path)
        }
        return .object(members)
    }

    private mutating func array(path: String) throws(Failure) -> JSONNode.Value {
        var items: [JSONNode] = []
        var more = try enter("]", path: path)
        while more {
            items.append(try value(path: path + "/\(items.count)"))
            more = try another("]", in: "an array", path: path)
        }
        return .array(items)
    }

    private mutating func literal(_ word: String, path: String) throws(Failure) {
        for expected in word.unicodeScalars {
            guard current == expected else { throw failure("expected '\(word)'", path: path) }
            advance()
        }
    }

    private mutating func number(path: String) throws(Failure) -> JSONNode.Value {
        var text = ""
        var isInteger = true
        func take(_ reader: inout PositionedJSONReader, into text: inout String) {
            if let scalar = reader.current { text.unicodeScalars.append(scalar) }
            reader.advance()
        }
        if current == "-" { take(&self, into: &text) }
        guard let first = current, ("0"..."9").contains(first) else { throw failure("a number needs a digit", path: path) }
        if first == "0" {
            take(&self, into: &text)
            if let next = current, ("0"..."9").contains(next) { throw failure("a number must not start with 0", path: path) }
        } else {
            while let digit = current, ("0"..."9").contains(digit) { take(&self, into: &text) }
        }
        if current == "." {
            isInteger = false
            take(&self, into: &text)
            guard let digit = current, ("0"..."9").contains(digit) else { throw failure("a fraction needs a digit", path: path) }
            while let digit = current, ("0"..."9").contains(digit) { take(&self, into: &text) }
        }
        if current == "e" || current == "E" {
            isInteger = false
            take(&self, into: &text)
            if current == "+" || current == "-" { take(&self, into: &text) }
            guard let digit = current, ("0"..."9").contains(digit) else { throw failure("an exponent needs a digit", path: path) }
            while let digit = current, ("0"..."9").contains(digit) { take(&self, into: &text) }
        }
        guard let number = Double(text), number.isFinite else { throw failure("the number \(text) is too large", path: path) }
        return .number(number, isInteger: isInteger)
    }

    private mutating func string(path: String) throws(Failure) -> String {
        advance()
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = current else { throw failure("a string is not closed", path: path) }
            if scalar == "\"" {
                advance()
                return String(text)
            }
            if scalar.value < 0x20 { throw failure("control character U+\(String(scalar.value, radix: 16)) in a string", path: path) }
            if scalar != "\\" {
                text.append(scalar)
                advance()
                continue
            }
            advance()
            guard let escape = current else { throw failure("a string is not closed", path: path) }
            advance()
            switch escape {
            case "\"": text.append("\"")
            case "\\": text.append("\\")
            case "/": text.append("/")
            case "b": text.append("\u{8}")
            case "f": text.append("\u{C}")
            case "n": text.append("\n")
            case "r": text.append("\r")
            case "t": text.append("\t")
            case "u":
                var code = try hex4(path: path)
                if (0xD800..<0xDC00).contains(code) {
                    guard current == "\\" else { throw failure("a lone surrogate in \\u escape", path: path) }
                    advance()
                    guard current == "u" else { throw failure("a lone surrogate in \\u escape", path: path) }
                    advance()
                    let low = try hex4(path: path)
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate in \\u escape", path: path) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let decoded = Unicode.Scalar(code) else { throw failure("a lone surrogate in \\u escape", path: path) }
                text.append(decoded)
            default:
                throw failure("unknown escape '\\\(escape)' in a string", path: path)
            }
        }
    }

    private mutating func hex4(path: String) throws(Failure) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = current, scalar.isASCII, scalar != "+", scalar != "-", let digit = UInt32(String(scalar), radix: 16) else {
                throw failure("\\u needs four hexadecimal digits", path: path)
            }
            code = code * 16 + digit
            advance()
        }
        return code
    }

    /// A key as a JSON Pointer token (RFC 6901).
    static func escape(_ key: String) -> String {
        var token = ""
        for character in key {
            switch character {
            case "~": token += "~0"
            case "/": token += "~1"
            default: token.append(character)
            }
        }
        return token
    }
}
