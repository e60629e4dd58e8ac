/// An alert message with `{name}` placeholders, such as `"Spindle at {value} {unit} on {machine}"`.
///
/// `{{` and `}}` stand for literal braces. The text is split into parts once, when parsed, so
/// ``render(_:)`` only concatenates.
public struct MessageTemplate: Sendable, Equatable, CustomStringConvertible {
    private enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(String)
    }

    private let text: String
    private let parts: [Part]
    /// The placeholder names the template uses.
    public let placeholders: Set<String>

    private init(text: String, parts: [Part]) {
        self.text = text
        self.parts = parts
        var names: Set<String> = []
        for case .placeholder(let name) in parts { names.insert(name) }
        placeholders = names
    }

    /// The original text.
    public var description: String { text }

    /// Parses `{name}` placeholders; `{{` and `}}` are literal braces.
    /// - Parameters:
    ///   - text: the template.
    ///   - placeholders: the names it may use; any other name is an error.
    /// - Throws: an ``ExpressionError`` with the 1-based column (in `Character`s) of the first problem.
    public static func parse(_ text: String, placeholders: Set<String>) throws(ExpressionError) -> MessageTemplate {
        let characters = Array(text)
        var parts: [Part] = []
        var literal = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "}" {
                guard next == "}" else {
                    throw ExpressionError("'}' without '{'; write '}}' for a literal brace", column: index + 1)
                }
                literal.append("}")
                index += 2
            } else if character == "{" {
                if next == "{" {
                    literal.append("{")
                    index += 2
                    continue
                }
                let (name, close) = try placeholder(characters, openingAt: index, allowed: placeholders)
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.placeholder(name))
                index = close + 1
            } else {
                literal.append(character)
                index += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return MessageTemplate(text: text, parts: parts)
    }

    /// The checked name of the placeholder whose `{` is at `open`, and where its `}` is.
    private static func placeholder(
        _ characters: [Character], openingAt open: Int, allowed: Set<String>
    ) throws(ExpressionError) -> (name: String, close: Int) {
        var close = open + 1
        while close < characters.count, characters[close] != "}", characters[close] != "{" { close += 1 }
        guard close < characters.count, characters[close] == "}" else {
            throw ExpressionError("'{' is not closed; write '{{' for a literal brace", column: open + 1)
        }
        let name = String(characters[(open + 1)..<close])
        guard let first = name.first else {
            throw ExpressionError("empty placeholder '{}'; put a name inside or write '{{}}' for literal braces", column: open + 1)
        }
        guard first.isNameStart, name.allSatisfy(\.isNameCharacter) else {
            throw ExpressionError("invalid placeholder name '\(name)': use letters, digits and '_'", column: open + 2)
        }
        guard allowed.contains(name) else {
            let hint = Spelling.hint(for: name, in: allowed.sorted())
            throw ExpressionError("unknown placeholder '\(name)'\(hint)", column: open + 2)
        }
        return (name, close)
    }

    /// Fills the placeholders; a name `value(for:)` returns nil for renders as "?".
    public func render(_ value: (String) -> String?) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let literal): result += literal
            case .placeholder(let name): result += value(name) ?? "?"
            }
        }
        return result
    }
}
