/// Reads alert expressions: tokenizer, recursive-descent parser and type checker in one pass.
///
/// Grammar, loosest first (`a < b < c` is an error: comparisons do not chain):
/// ```
/// or         = and { ("or" | "||") and }
/// and        = not { ("and" | "&&") not }
/// not        = ("not" | "!") not | comparison
/// comparison = additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
/// additive   = multiply { ("+" | "-") multiply }
/// multiply   = negate { ("*" | "/" | "%") negate }
/// negate     = "-" negate | primary
/// primary    = number | text | "true" | "false" | variable | function "(" or { "," or } ")" | "(" or ")"
/// ```
/// Numbers: `12`, `1.5`, `.5`, `1e3`, `2.5E-2`, `1_000`. Text: `'...'` or `"..."`. Functions: `abs`,
/// `min`, `max`. Whitespace: spaces and tabs.
public enum ExpressionParser {
    /// The longest expression accepted, in `Character`s.
    public static let maximumLength = 2000
    /// How deeply parentheses and operators may nest.
    public static let maximumDepth = 32

    /// Parses and type-checks `text`.
    /// - Parameters:
    ///   - text: the expression, at most ``maximumLength`` characters.
    ///   - variables: each variable the expression may use, with its type.
    /// - Throws: an ``ExpressionError`` at the first problem, with its column.
    public static func parse(_ text: String, variables: [String: ExpressionType]) throws(ExpressionError) -> RuleExpression {
        if let limit = text.index(text.startIndex, offsetBy: maximumLength, limitedBy: text.endIndex), limit != text.endIndex {
            throw ExpressionError("the expression is longer than \(maximumLength) characters", column: maximumLength + 1)
        }
        var parser = Parser(characters: Array(text), variables: variables)
        return try parser.parseWhole()
    }

    /// Parses `text` like ``parse(_:variables:)`` and also requires the whole expression to have `type`
    /// (an alert condition wants ``ExpressionType/boolean``).
    public static func parse(
        _ text: String, variables: [String: ExpressionType], expecting type: ExpressionType
    ) throws(ExpressionError) -> RuleExpression {
        let expression = try parse(text, variables: variables)
        guard expression.type == type else {
            throw ExpressionError(
                "the expression must be \(type.spoken); \(Parser.quoted(expression)) is \(expression.type.spoken)", column: 1)
        }
        return expression
    }
}

// MARK: - Tokens

private struct Token {
    enum Kind: Equatable {
        case number(Double)
        case text(String)
        /// An identifier or a keyword (`and`, `or`, `not`, `true`, `false`).
        case word(String)
        case symbol(String)
        case end
        /// Text that is not a token; the message is thrown when the parser reaches it, so errors come left to right.
        case invalid(String)
    }

    var kind: Kind
    /// 1-based, in `Character`s.
    var column: Int
    /// The source text, for messages.
    var spelling: String

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol(symbol) }

    func isWord(_ word: String) -> Bool { kind == .word(word) }

    var isEnd: Bool { kind == .end }

    /// `not` or `!`.
    var isNot: Bool { isWord("not") || isSymbol("!") }

    var binaryOperator: RuleExpression.BinaryOperator? {
        switch kind {
        case .word("or"), .symbol("||"): .or
        case .word("and"), .symbol("&&"): .and
        case .symbol(let symbol): RuleExpression.BinaryOperator(rawValue: symbol)
        default: nil
        }
    }

    /// How a message names the token: `'x'`, or `the end`.
    var named: String { isEnd ? "the end" : "'\(spelling)'" }
}

private struct Lexer {
    static let keywords: Set<String> = ["and", "or", "not", "true", "false"]
    static let twoCharacterSymbols: Set<String> = ["<=", ">=", "==", "!=", "&&", "||"]
    static let oneCharacterSymbols: Set<Character> = ["(", ")", ",", "+", "-", "*", "/", "%", "<", ">", "!"]

    let characters: [Character]
    var position = 0

    init(characters: [Character]) {
        self.characters = characters
    }

    mutating func next() -> Token {
        while position < characters.count, characters[position] == " " || characters[position] == "\t" {
            position += 1
        }
        let start = position
        guard start < characters.count else { return Token(kind: .end, column: start + 1, spelling: "") }
        let character = characters[start]
        if character.isNameStart {
            while position < characters.count, characters[position].isNameCharacter { position += 1 }
            let word = String(characters[start..<position])
            return Token(kind: .word(word), column: start + 1, spelling: word)
        }
        if character.isASCIIDigit || (character == "." && start + 1 < characters.count && characters[start + 1].isASCIIDigit) {
            return number()
        }
        if character == "'" || character == "\"" {
            return text(quote: character)
        }
        if start + 1 < characters.count {
            let pair = String(characters[start...start + 1])
            if Self.twoCharacterSymbols.contains(pair) {
                position += 2
                return Token(kind: .symbol(pair), column: start + 1, spelling: pair)
            }
        }
        position += 1
        let spelling = String(character)
        if Self.oneCharacterSymbols.contains(character) {
            return Token(kind: .symbol(spelling), column: start + 1, spelling: spelling)
        }
        let message: String
        switch character {
        case "=": message = "'=' is not an operator; compare with '=='"
        case "&": message = "'&' is not an operator; use 'and' (or '&&')"
        case "|": message = "'|' is not an operator; use 'or' (or '||')"
        default: message = "unexpected character '\(character.escaped)'"
        }
        return Token(kind: .invalid(message), column: start + 1, spelling: spelling)
    }

    /// A number: everything that could belong to it is taken, then checked, so `12ab` is one bad number.
    private mutating func number() -> Token {
        let start = position
        while position < characters.count {
            let character = characters[position]
            if character.isNameCharacter || character == "." {
                position += 1
            } else if character == "+" || character == "-", looksLikeExponent(from: start) {
                position += 1
            } else {
                break
            }
        }
        let raw = Array(characters[start..<position])
        let spelling = String(raw)
        guard let digits = Self.plainDigits(raw) else {
            return Token(kind: .invalid("invalid number '\(spelling)'"), column: start + 1, spelling: spelling)
        }
        guard let value = Double(digits), value.isFinite else {
            return Token(kind: .invalid("number '\(spelling)' is too large"), column: start + 1, spelling: spelling)
        }
        return Token(kind: .number(value), column: start + 1, spelling: spelling)
    }

    /// Whether the number so far is digits, `_` and `.` followed by a single `e`/`E` (so a sign may follow).
    private func looksLikeExponent(from start: Int) -> Bool {
        guard position > start, characters[position - 1] == "e" || characters[position - 1] == "E" else { return false }
        return characters[start..<(position - 1)].allSatisfy { $0.isASCIIDigit || $0 == "_" || $0 == "." }
    }

    /// `raw` without separators if it is `digits [. digits] [e [+-] digits]` or `. digits [...]`, else nil;
    /// `digits` may have single `_` between digits.
    static func plainDigits(_ raw: [Character]) -> String? {
        var result = ""
        var index = 0
        func digitRun() -> Bool {
            guard index < raw.count, raw[index].isASCIIDigit else { return false }
            while index < raw.count {
                if raw[index].isASCIIDigit {
                    result.append(raw[index])
                    index += 1
                } else if raw[index] == "_", index + 1 < raw.count, raw[index + 1].isASCIIDigit {
                    index += 1
                } else {
                    break
                }
            }
            return true
        }
        let hasWhole = digitRun()
        if index < raw.count, raw[index] == "." {
            result.append(".")
            index += 1
            guard digitRun() else { return nil }
        } else if !hasWhole {
            return nil
        }
        if index < raw.count, raw[index] == "e" || raw[index] == "E" {
            result.append("e")
            index += 1
            if index < raw.count, raw[index] == "+" || raw[index] == "-" {
                result.append(raw[index])
                index += 1
            }
            guard digitRun() else { return nil }
        }
        return index == raw.count ? result : nil
    }

    private mutating func text(quote: Character) -> Token {
        let start = position
        guard let close = characters[(start + 1)...].firstIndex(of: quote) else {
            position = characters.count
            return Token(kind: .invalid("unterminated text: this \(quote) is never closed"), column: start + 1, spelling: String(quote))
        }
        position = close + 1
        return Token(kind: .text(String(characters[(start + 1)..<close])), column: start + 1, spelling: String(characters[start...close]))
    }
}

extension Character {
    /// `0`-`9` only.
    var isASCIIDigit: Bool { isASCII && ("0"..."9").contains(self) }
    /// May start a name in an expression or a template: ASCII letters and `_`.
    var isNameStart: Bool { isASCII && (("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_") }
    /// May continue a name: ASCII letters, digits and `_`.
    var isNameCharacter: Bool { isNameStart || isASCIIDigit }

    /// The character with invisible or special scalars escaped, for messages.
    fileprivate var escaped: String { unicodeScalars.map { $0.escaped(asASCII: false) }.joined() }
}

// MARK: - Parser

/// A parsed piece with what errors and the depth limit need.
private struct Node {
    var expression: RuleExpression
    /// Where the piece starts (its first token, `(` included).
    var column: Int
    /// How many parentheses and operators nest inside it, itself included.
    var depth: Int
}

private struct Parser {
    private var lexer: Lexer
    private var current: Token
    private var previous: Token?
    private let variables: [String: ExpressionType]
    /// Parentheses, calls and prefix operators open on the way down: bounds the recursion.
    private var nesting = 0

    init(characters: [Character], variables: [String: ExpressionType]) {
        lexer = Lexer(characters: characters)
        current = lexer.next()
        self.variables = variables
    }

    mutating func parseWhole() throws(ExpressionError) -> RuleExpression {
        if current.isEnd { throw ExpressionError("the expression is empty", column: 1) }
        let node = try parseBinary(.or)
        guard current.isEnd else {
            if current.isSymbol(")") { throw ExpressionError("')' has no matching '('", column: current.column) }
            throw unexpected("expected an operator")
        }
        return node.expression
    }

    private mutating func advance() {
        previous = current
        current = lexer.next()
    }

    // MARK: Levels

    /// A left-associative level (`or`, `and`, `+ -`, `* / %`), or the special levels it hands over to.
    private mutating func parseBinary(_ level: ExpressionPrecedence) throws(ExpressionError) -> Node {
        switch level {
        case .not: return try parseNot()
        case .comparison: return try parseComparison()
        case .negate, .primary: return try parseNegate()
        case .or, .and, .additive, .multiplicative: break
        }
        var left = try parseBinary(level.tighter)
        while let op = current.binaryOperator, op.precedence == level {
            let token = current
            advance()
            let right = try parseBinary(level.tighter)
            left = try combine(op, left, right, at: token)
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> Node {
        guard current.isNot else { return try parseComparison() }
        let token = current
        try enter(token)
        advance()
        let operand = try parseNot()
        nesting -= 1
        guard operand.expression.type == .boolean else {
            throw ExpressionError("'not' needs true/false; \(Self.describe(operand))", column: operand.column)
        }
        return try node(.unary(.not, operand.expression), at: token, depth: operand.depth + 1)
    }

    private mutating func parseComparison() throws(ExpressionError) -> Node {
        let left = try parseBinary(.additive)
        guard let op = current.binaryOperator, op.precedence == .comparison else { return left }
        let token = current
        advance()
        let right = try parseBinary(.additive)
        let result = try combine(op, left, right, at: token)
        if let again = current.binaryOperator, again.precedence == .comparison {
            throw ExpressionError(
                "comparisons do not chain: '\(token.spelling)' then '\(current.spelling)'; join two comparisons with 'and'",
                column: current.column)
        }
        return result
    }

    private mutating func parseNegate() throws(ExpressionError) -> Node {
        guard current.isSymbol("-") else { return try parsePrimary() }
        let token = current
        try enter(token)
        advance()
        let operand = try parseNegate()
        nesting -= 1
        guard operand.expression.type == .number else {
            throw ExpressionError("'-' needs a number; \(Self.describe(operand))", column: operand.column)
        }
        return try node(.unary(.negate, operand.expression), at: token, depth: operand.depth + 1)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Node {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return Node(expression: .number(value), column: token.column, depth: 0)
        case .text(let value):
            advance()
            return Node(expression: .text(value), column: token.column, depth: 0)
        case .word("true"), .word("false"):
            advance()
            return Node(expression: .boolean(token.isWord("true")), column: token.column, depth: 0)
        case .word(let word) where !Lexer.keywords.contains(word):
            advance()
            if current.isSymbol("(") { return try parseCall(token, name: word) }
            guard let type = variables[word] else { throw unknownVariable(token, name: word) }
            return Node(expression: .variable(word, type), column: token.column, depth: 0)
        case .symbol("("):
            try enter(token)
            advance()
            let inner = try parseBinary(.or)
            try expectClosing(token)
            nesting -= 1
            return try node(inner.expression, at: token, depth: inner.depth + 1)
        default:
            if token.isNot {
                throw ExpressionError("'\(token.spelling)' binds loosely: write '(not ...)' here", column: token.column)
            }
            throw unexpected("expected a value")
        }
    }

    /// `name(` has been read; `current` is the `(`.
    private mutating func parseCall(_ name: Token, name word: String) throws(ExpressionError) -> Node {
        guard let function = RuleExpression.Function(rawValue: word) else {
            if variables[word] != nil {
                throw ExpressionError("'\(word)' is a variable, not a function", column: name.column)
            }
            let hint = Spelling.hint(for: word, in: RuleExpression.Function.allCases.map(\.rawValue))
            throw ExpressionError("unknown function '\(word)'\(hint)", column: name.column)
        }
        let open = current
        try enter(open)
        advance()
        var arguments: [RuleExpression] = []
        var depth = 0
        if !current.isSymbol(")") {
            while true {
                let argument = try parseBinary(.or)
                guard argument.expression.type == .number else {
                    throw ExpressionError("'\(word)' needs numbers; \(Self.describe(argument))", column: argument.column)
                }
                arguments.append(argument.expression)
                depth = max(depth, argument.depth)
                guard current.isSymbol(",") else { break }
                advance()
            }
        }
        try expectClosing(open)
        nesting -= 1
        switch function {
        case .abs where arguments.count != 1:
            throw ExpressionError("'abs' takes exactly one number, found \(arguments.count)", column: name.column)
        case .min where arguments.isEmpty, .max where arguments.isEmpty:
            throw ExpressionError("'\(word)' needs at least one number", column: name.column)
        default:
            break
        }
        return try node(.call(function, arguments), at: name, depth: depth + 1)
    }

    // MARK: Checks

    /// Type-checks `left op right`.
    private func combine(_ op: RuleExpression.BinaryOperator, _ left: Node, _ right: Node, at token: Token) throws(ExpressionError) -> Node {
        let name = "'\(token.spelling)'"
        switch op {
        case .and, .or:
            for side in [left, right] where side.expression.type != .boolean {
                throw ExpressionError("\(name) needs true/false on both sides; \(Self.describe(side))", column: side.column)
            }
        case .equal, .notEqual:
            if left.expression.type != right.expression.type {
                throw ExpressionError(
                    "\(name) needs the same type on both sides; \(Self.describe(left)) but \(Self.describe(right))",
                    column: token.column)
            }
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .add, .subtract, .multiply, .divide, .remainder:
            for side in [left, right] where side.expression.type != .number {
                throw ExpressionError("\(name) needs numbers on both sides; \(Self.describe(side))", column: side.column)
            }
        }
        let depth = max(left.depth, right.depth) + 1
        guard depth <= ExpressionParser.maximumDepth else { throw tooDeep(at: token) }
        return Node(expression: .binary(op, left.expression, right.expression), column: left.column, depth: depth)
    }

    /// A node starting at `token`, unless it nests too deeply.
    private func node(_ expression: RuleExpression, at token: Token, depth: Int) throws(ExpressionError) -> Node {
        guard depth <= ExpressionParser.maximumDepth else { throw tooDeep(at: token) }
        return Node(expression: expression, column: token.column, depth: depth)
    }

    /// Counts one more open parenthesis or prefix operator, so no input can exhaust the stack.
    private mutating func enter(_ token: Token) throws(ExpressionError) {
        nesting += 1
        guard nesting <= ExpressionParser.maximumDepth else { throw tooDeep(at: token) }
    }

    private mutating func expectClosing(_ open: Token) throws(ExpressionError) {
        guard current.isSymbol(")") else {
            if case .invalid(let message) = current.kind { throw ExpressionError(message, column: current.column) }
            let found = current.isEnd ? "" : ", found \(current.named)"
            throw ExpressionError("expected ')' to close the '(' at column \(open.column)\(found)", column: current.column)
        }
        advance()
    }

    // MARK: Messages

    private func tooDeep(at token: Token) -> ExpressionError {
        ExpressionError(
            "too deeply nested: at most \(ExpressionParser.maximumDepth) levels of parentheses and operators", column: token.column)
    }

    /// `expectation` was not met by `current`: the lexer's own message if the token is not one.
    private func unexpected(_ expectation: String) -> ExpressionError {
        if case .invalid(let message) = current.kind { return ExpressionError(message, column: current.column) }
        if current.isEnd {
            let after = previous.map { " after '\($0.spelling)'" } ?? ""
            return ExpressionError("unexpected end: \(expectation)\(after)", column: current.column)
        }
        var hint = ""
        if case .word(let word) = current.kind, word != word.lowercased(), Lexer.keywords.contains(word.lowercased()) {
            hint = "; did you mean '\(word.lowercased())'?"
        }
        return ExpressionError("\(expectation), found \(current.named)\(hint)", column: current.column)
    }

    private func unknownVariable(_ token: Token, name: String) -> ExpressionError {
        let lowered = name.lowercased()
        let hint = Lexer.keywords.contains(lowered)
            ? "; did you mean '\(lowered)'?"
            : Spelling.hint(for: name, in: variables.keys.filter { Self.isUsableName($0) }.sorted())
        return ExpressionError("unknown variable '\(name)'\(hint)", column: token.column)
    }

    private static func isUsableName(_ name: String) -> Bool {
        guard let first = name.first, first.isNameStart, !Lexer.keywords.contains(name) else { return false }
        return name.allSatisfy(\.isNameCharacter)
    }

    private static func describe(_ node: Node) -> String {
        "\(quoted(node.expression)) is \(node.expression.type.spoken)"
    }

    /// The expression's text in quotes (a text literal already has them), shortened if long.
    static func quoted(_ expression: RuleExpression) -> String {
        let text = expression.description
        if case .text = expression, text.count <= 40 { return text }
        return text.count > 40 ? "'\(text.prefix(39))…'" : "'\(text)'"
    }
}
