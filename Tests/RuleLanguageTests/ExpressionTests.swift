@testable import RuleLanguage
import TestSupport
import Testing

/// The variables every expression test may use.
private let variables: [String: ExpressionType] = [
    "a": .number, "x": .number, "y": .number, "spindle_speed": .number, "temperature": .number,
    "b": .boolean, "flag": .boolean, "running": .boolean,
    "state": .text,
]

private func parse(_ text: String) throws(ExpressionError) -> RuleExpression {
    try ExpressionParser.parse(text, variables: variables)
}

/// Evaluates `text` with `values`; a name missing from `values` is unknown.
private func evaluate(_ text: String, _ values: [String: ExpressionValue] = [:]) throws -> ExpressionValue? {
    try parse(text).evaluate { values[$0] }
}

private func number(_ value: Double) -> RuleExpression { .number(value) }
private func variable(_ name: String) -> RuleExpression { .variable(name, variables[name] ?? .number) }

@Suite("Alert expressions")
struct ExpressionTests {
    // MARK: Parsing

    @Test("Precedence and associativity")
    func precedence() throws {
        #expect(try parse("1 + 2 * 3") == .binary(.add, number(1), .binary(.multiply, number(2), number(3))))
        #expect(try parse("2 - 3 - 4") == .binary(.subtract, .binary(.subtract, number(2), number(3)), number(4)))
        #expect(try parse("8 / 4 % 3") == .binary(.remainder, .binary(.divide, number(8), number(4)), number(3)))
        #expect(try parse("-2 * 3") == .binary(.multiply, .unary(.negate, number(2)), number(3)))
        #expect(try parse("not a > 1 and b") == .binary(.and, .unary(.not, .binary(.greater, variable("a"), number(1))), variable("b")))
        #expect(try parse("flag or b and running") == .binary(.or, variable("flag"), .binary(.and, variable("b"), variable("running"))))
        #expect(try parse("b and flag and running") == .binary(.and, .binary(.and, variable("b"), variable("flag")), variable("running")))
        #expect(try parse("a + 1 >= x * 2") == .binary(.greaterOrEqual, .binary(.add, variable("a"), number(1)), .binary(.multiply, variable("x"), number(2))))
        #expect(try parse("(1 + 2) * 3") == .binary(.multiply, .binary(.add, number(1), number(2)), number(3)))
        #expect(try parse("- -a") == .unary(.negate, .unary(.negate, variable("a"))))
        #expect(try parse("not not b") == .unary(.not, .unary(.not, variable("b"))))
        #expect(try parse("max(a, 1 + 2)") == .call(.max, [variable("a"), .binary(.add, number(1), number(2))]))
    }

    @Test("Symbolic operators mean the same as the words")
    func synonyms() throws {
        #expect(try parse("!b && flag || running") == parse("not b and flag or running"))
    }

    @Test("Number and text literals")
    func literals() throws {
        #expect(try parse("12") == number(12))
        #expect(try parse("1.5") == number(1.5))
        #expect(try parse(".5") == number(0.5))
        #expect(try parse("1e3") == number(1000))
        #expect(try parse("2.5E-2") == number(0.025))
        #expect(try parse("1_000") == number(1000))
        #expect(try parse("1_000.000_5e+1_0") == number(1000.0005e10))
        #expect(try parse("'it\"s'") == .text("it\"s"))
        #expect(try parse("\"it's\"") == .text("it's"))
        #expect(try parse("''") == .text(""))
        #expect(try parse("true") == .boolean(true))
        #expect(try parse("\tfalse  ") == .boolean(false))
    }

    @Test("Static types and referenced variables")
    func typesAndVariables() throws {
        #expect(try parse("a + 1").type == .number)
        #expect(try parse("a > 1").type == .boolean)
        #expect(try parse("state").type == .text)
        #expect(try parse("abs(a)").type == .number)
        #expect(try parse("not b").type == .boolean)
        #expect(try parse("a + min(x, y) > 0 and state == 'x' or b").variables == ["a", "x", "y", "state", "b"])
        #expect(try parse("1 + 2").variables.isEmpty)
    }

    @Test("An alert condition can be required to be true/false")
    func expectingType() throws {
        #expect(try ExpressionParser.parse("a > 1", variables: variables, expecting: .boolean) == parse("a > 1"))
        #expect(throws: ExpressionError("the expression must be true/false; 'a + 1' is a number", column: 1)) {
            try ExpressionParser.parse("a + 1", variables: variables, expecting: .boolean)
        }
    }

    // MARK: Canonical text

    @Test("description is canonical", arguments: [
        ("((a))+ 1*2", "a + 1 * 2"),
        ("a - (x - y)", "a - (x - y)"),
        ("(a - x) - y", "a - x - y"),
        ("!(b && flag)", "not (b and flag)"),
        ("(a < 1) == b", "(a < 1) == b"),
        ("b == (a < 1)", "b == (a < 1)"),
        ("(not b) == flag", "(not b) == flag"),
        ("-(-a)", "- -a"),
        ("-(a + 1)", "-(a + 1)"),
        ("b || (flag || running)", "b or (flag or running)"),
        ("state == \"it's\"", "state == \"it's\""),
        ("min( a ,2.50,1e3 , 1_000_000, 1e20 )", "min(a, 2.5, 1000, 1000000, 1e+20)"),
        ("max(a)", "max(a)"),
    ])
    func canonicalText(input: String, expected: String) throws {
        #expect(try parse(input).description == expected)
    }

    @Test("description parses back to the same expression", arguments: [
        "1 + 2 * 3", "2 - 3 - 4", "-2 * 3", "not a > 1 and b", "a - (x - y) * (x + y) / 2 % 7",
        "(a < 1) == (x >= 2)", "not not (b or flag) and not running", "state != 'idle' and state == \"it's\"",
        "abs(-a) + min(x, y, 3) - max(1)", "0.1 + 1e-300 + 5e-324 + 1.7976931348623157e308", "- - -a",
        "(b == true) != (false == flag)", "(-a) * -(x % -y)", "1_000 / .5",
    ])
    func roundTrip(input: String) throws {
        let expression = try parse(input)
        let again = try parse(expression.description)
        #expect(again == expression, "\(input) → \(expression.description)")
        #expect(again.description == expression.description)
    }

    // MARK: Evaluation

    @Test("Arithmetic, comparisons and functions")
    func arithmetic() throws {
        #expect(try evaluate("1 + 2 * 3") == .number(7))
        #expect(try evaluate("2 - 3 - 4") == .number(-5))
        #expect(try evaluate("-2 * 3") == .number(-6))
        #expect(try evaluate("-7 % 3") == .number(-1))
        #expect(try evaluate("7.5 % 2") == .number(1.5))
        #expect(try evaluate("1_000 + .5 + 1e3 + 2.5E-2") == .number(2000.525))
        #expect(try evaluate("abs(-3)") == .number(3))
        #expect(try evaluate("min(3, 1, 2)") == .number(1))
        #expect(try evaluate("max(3, a, 2)", ["a": .number(9)]) == .number(9))
        #expect(try evaluate("max(3, a, 2)") == nil)
        #expect(try evaluate("spindle_speed > 11000", ["spindle_speed": .number(11500)]) == .boolean(true))
        #expect(try evaluate("spindle_speed <= 11000", ["spindle_speed": .number(11500)]) == .boolean(false))
        #expect(try evaluate("a + 1 > 2") == nil)
        #expect(try evaluate("b == true", ["b": .boolean(true)]) == .boolean(true))
        #expect(try evaluate("1 != 1") == .boolean(false))
    }

    @Test("Text equality")
    func textEquality() throws {
        #expect(try evaluate("state == 'running'", ["state": .text("running")]) == .boolean(true))
        #expect(try evaluate("state == 'running'", ["state": .text("idle")]) == .boolean(false))
        #expect(try evaluate("state != \"running\"", ["state": .text("idle")]) == .boolean(true))
        #expect(try evaluate("state == 'running'") == nil)
        #expect(try evaluate("state == 'café'", ["state": .text("cafe\u{301}")]) == .boolean(true))
    }

    @Test("Division by zero and overflow are unknown, never a trap")
    func unknownArithmetic() throws {
        #expect(try evaluate("1 / 0") == nil)
        #expect(try evaluate("a / x", ["a": .number(1), "x": .number(0)]) == nil)
        #expect(try evaluate("5 % 0") == nil)
        #expect(try evaluate("1e308 * 10") == nil)
        #expect(try evaluate("-1e308 - 1e308") == nil)
        #expect(try evaluate("1 / 0 > 1") == nil)
        #expect(try evaluate("a + 1", ["a": .number(.infinity)]) == nil)
        #expect(try evaluate("a + 1", ["a": .number(.nan)]) == nil)
        #expect(try evaluate("a + 1", ["a": .text("7")]) == nil, "a value of the wrong type is unknown")
    }

    @Test("and/or/not follow Kleene logic with unknowns")
    func kleeneLogic() throws {
        let values: [Bool?] = [true, false, nil]
        for left in values {
            for right in values {
                var lookup: [String: ExpressionValue] = [:]
                lookup["b"] = left.map { .boolean($0) }
                lookup["flag"] = right.map { .boolean($0) }
                let and: Bool? = left == false || right == false ? false : (left == true && right == true ? true : nil)
                let or: Bool? = left == true || right == true ? true : (left == false && right == false ? false : nil)
                #expect(try evaluate("b and flag", lookup) == and.map { .boolean($0) }, "\(String(describing: left)) and \(String(describing: right))")
                #expect(try evaluate("b or flag", lookup) == or.map { .boolean($0) }, "\(String(describing: left)) or \(String(describing: right))")
            }
        }
        #expect(try evaluate("not b") == nil)
        #expect(try evaluate("not b", ["b": .boolean(false)]) == .boolean(true))
        #expect(try evaluate("false and a > 1") == .boolean(false))
        #expect(try evaluate("a > 1 or true") == .boolean(true))
        #expect(try evaluate("a > 1 and true") == nil)
    }

    // MARK: Errors

    @Test("Errors point at the right column", arguments: [
        ("", 1, "empty"),
        ("  \t ", 1, "empty"),
        ("1 +", 4, "unexpected end: expected a value after '+'"),
        ("(1 + 2", 7, "expected ')' to close the '(' at column 1"),
        ("min(1, 2", 9, "expected ')' to close the '(' at column 4"),
        ("(1 + 2 3", 8, "expected ')' to close the '(' at column 1, found '3'"),
        ("max(1 2)", 7, "found '2'"),
        ("1 2", 3, "expected an operator, found '2'"),
        ("a + )", 5, "expected a value, found ')'"),
        ("max(1,)", 7, "expected a value, found ')'"),
        ("* 2", 1, "expected a value, found '*'"),
        ("a )", 3, "')' has no matching '('"),
        ("a # 1", 3, "unexpected character '#'"),
        ("a +\n1", 4, "unexpected character '\\n'"),
        ("'é°' == state and x > #", 23, "unexpected character '#'"),
        ("'e\u{301}' == staet", 8, "unknown variable 'staet'; did you mean 'state'?"),
        ("temperature > 80°", 17, "unexpected character '°'"),
        ("spindel_speed > 1", 1, "unknown variable 'spindel_speed'; did you mean 'spindle_speed'?"),
        ("True or b", 1, "did you mean 'true'?"),
        ("b AND flag", 3, "found 'AND'; did you mean 'and'?"),
        ("abz(a)", 1, "unknown function 'abz'; did you mean 'abs'?"),
        ("a(1)", 1, "'a' is a variable, not a function"),
        ("'abc", 1, "unterminated text"),
        ("a == \"abc' + 1", 6, "unterminated text"),
        ("1 < 2 < 3", 7, "comparisons do not chain"),
        ("a == x != y", 8, "comparisons do not chain"),
        ("a = 1", 3, "'=' is not an operator; compare with '=='"),
        ("b & flag", 3, "'&' is not an operator"),
        ("b | flag", 3, "'|' is not an operator"),
        ("a + 1_", 5, "invalid number '1_'"),
        ("1__0", 1, "invalid number"),
        ("1.2.3", 1, "invalid number '1.2.3'"),
        ("2 * 1e", 5, "invalid number '1e'"),
        ("12abc", 1, "invalid number '12abc'"),
        ("1.", 1, "invalid number"),
        ("a + 1e400", 5, "number '1e400' is too large"),
        ("a . 1", 3, "unexpected character '.'"),
        ("a + state", 5, "'+' needs numbers on both sides; 'state' is text"),
        ("state < 1", 1, "'<' needs numbers on both sides; 'state' is text"),
        ("spindle_speed + 2 and b", 1, "'and' needs true/false on both sides; 'spindle_speed + 2' is a number"),
        ("b and (spindle_speed + 2)", 7, "'and' needs true/false on both sides; 'spindle_speed + 2' is a number"),
        ("b or 'x'", 6, "'or' needs true/false on both sides; 'x' is text"),
        ("not a", 5, "'not' needs true/false; 'a' is a number"),
        ("-state", 2, "'-' needs a number; 'state' is text"),
        ("-b", 2, "'-' needs a number; 'b' is true/false"),
        ("state == 1", 7, "'==' needs the same type on both sides; 'state' is text but '1' is a number"),
        ("abs(state)", 5, "'abs' needs numbers; 'state' is text"),
        ("min(1, b)", 8, "'min' needs numbers; 'b' is true/false"),
        ("abs(1, 2)", 1, "'abs' takes exactly one number, found 2"),
        ("abs()", 1, "'abs' takes exactly one number, found 0"),
        ("min()", 1, "'min' needs at least one number"),
        ("a == not b", 6, "'not' binds loosely"),
        ("b and", 6, "unexpected end: expected a value after 'and'"),
        ("or b", 1, "expected a value, found 'or'"),
    ] as [(String, Int, String)])
    func errorColumns(input: String, column: Int, message: String) {
        do {
            let expression = try parse(input)
            Issue.record("'\(input)' parsed as \(expression)")
        } catch {
            #expect(error.column == column, "\(input): \(error)")
            #expect(error.message.contains(message), "\(input): \(error)")
            #expect(error.description == "column \(error.column): \(error.message)")
        }
    }

    @Test("Length and depth limits are errors, not crashes")
    func limits() throws {
        let longest = "1" + String(repeating: " ", count: ExpressionParser.maximumLength - 1)
        #expect(try parse(longest) == number(1))
        #expect(throws: ExpressionError("the expression is longer than 2000 characters", column: 2001)) {
            try parse(longest + " ")
        }
        #expect(throws: ExpressionError("the expression is longer than 2000 characters", column: 2001)) {
            try parse(String(repeating: "(", count: 10_000))
        }

        let limit = ExpressionParser.maximumDepth
        let nested = String(repeating: "(", count: limit) + "a" + String(repeating: ")", count: limit)
        #expect(try parse(nested) == variable("a"))
        func depthError(_ text: String) -> Int? {
            do {
                _ = try parse(text)
                return nil
            } catch {
                return error.message.contains("too deeply nested") ? error.column : -1
            }
        }
        #expect(depthError("(" + nested + ")") == limit + 1)
        #expect(depthError(String(repeating: "(", count: 1999)) == limit + 1)
        #expect(depthError(String(repeating: "-", count: 1999) + "1") == limit + 1)
        #expect(depthError(String(repeating: "not ", count: 400) + "b") == 4 * limit + 1)
        #expect(depthError(String(repeating: "abs(", count: 400)) == 4 * limit + 4)
        // 1 + 1 + ...: the 33rd '+' (at column 4 * 33 - 1) makes the tree too deep.
        #expect(depthError(Array(repeating: "1", count: 40).joined(separator: " + ")) == 4 * (limit + 1) - 1)
        #expect(try parse(Array(repeating: "1", count: limit + 1).joined(separator: " + ")).evaluate { _ in nil } == .number(Double(limit + 1)))
    }

    // MARK: Fuzzing

    @Test("Random input parses to re-parseable expressions or fails with a column in range")
    func fuzz() {
        var random = SplitMix64(seed: 0x5EED_CAFE)
        let alphabet = [
            "a", "x", "y", "b", "flag", "state", "spindle_speed", "nope", "abs", "min", "max", "foo", "A",
            "0", "1", "7", "2.5", ".5", "1e3", "1e-2", "1_000", "1__0", "1e400", "00", "5.",
            "'txt'", "\"q\"", "'it\"s'", "'", "\"", "true", "false", "and", "or", "not", "True",
            "&&", "||", "!", "<", "<=", ">", ">=", "==", "!=", "=", "+", "-", "*", "/", "%", "(", ")", "(", ")", ",",
            "&", "|", "#", "°", "é", "e\u{301}", ".", "_", "\n", "\u{0}", " ", " ", "\t",
        ]
        let seeds = [
            "not a > 1 and b", "min(a, x) / (y - 1) >= 2 or state == 'run'", "-(a % 3) * abs(x) != 0",
            "b and (flag or not running)", "max(1, 2, 3) + -x < 1e3",
        ]
        var parsed = 0
        for round in 0..<20_000 {
            let text: String
            if round % 3 == 2 {
                text = generate(.boolean, depth: 4, random: &random)
                #expect(check(text, random: &random), "generated \(text)")
                continue
            }
            if round % 3 == 0 {
                let count = Int(random.next() % 24)
                text = (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
                    .joined(separator: random.next() % 3 == 0 ? "" : " ")
            } else {
                var characters = Array(seeds[Int(random.next() % UInt64(seeds.count))])
                for _ in 0...(random.next() % 2) {
                    let position = Int(random.next() % UInt64(characters.count + 1))
                    let replacement = Array(alphabet[Int(random.next() % UInt64(alphabet.count))])
                    switch random.next() % 3 {
                    case 0: characters.insert(contentsOf: replacement, at: position)
                    case 1 where position < characters.count: characters.remove(at: position)
                    default: characters.replaceSubrange(position..<min(position + 1, characters.count), with: replacement)
                    }
                }
                text = String(characters)
            }
            if check(text, random: &random) { parsed += 1 }
        }
        for text in [
            String(repeating: "(", count: 10_000), String(repeating: "(", count: 1_999),
            String(repeating: "-", count: 1_999), String(repeating: "!", count: 1_999),
            String(repeating: "(a+", count: 600), String(repeating: "min(", count: 499),
            Array(repeating: "1", count: 1000).joined(separator: "*"),
        ] {
            _ = check(text, random: &random)
        }
        #expect(parsed > 500, "random and mutated text should sometimes be valid, got \(parsed)")
    }

    /// Random well-typed source text, with redundant parentheses and mixed spellings.
    private func generate(_ type: ExpressionType, depth: Int, random: inout SplitMix64) -> String {
        func pick(_ choices: [String], _ random: inout SplitMix64) -> String {
            choices[Int(random.next() % UInt64(choices.count))]
        }
        let leaf = depth == 0 || random.next() % 4 == 0
        switch type {
        case .text:
            return pick(["state", "'run'", "\"it's\"", "'°C'"], &random)
        case .number:
            if leaf { return pick(["a", "x", "y", "spindle_speed", "0", "1", "2.5", ".5", "1e3", "1_000", "7e-3"], &random) }
            switch random.next() % 4 {
            case 0:
                return "-(\(generate(.number, depth: depth - 1, random: &random)))"
            case 1:
                let count = 1 + Int(random.next() % 3)
                let arguments = (0..<count).map { _ in generate(.number, depth: depth - 1, random: &random) }
                return "\(pick(["min", "max"], &random))(\(arguments.joined(separator: ", ")))"
            case 2:
                return "abs(\(generate(.number, depth: depth - 1, random: &random)))"
            default:
                let left = generate(.number, depth: depth - 1, random: &random)
                let right = generate(.number, depth: depth - 1, random: &random)
                return "(\(left)) \(pick(["+", "-", "*", "/", "%"], &random)) (\(right))"
            }
        case .boolean:
            if leaf { return pick(["b", "flag", "running", "true", "false"], &random) }
            switch random.next() % 4 {
            case 0:
                return "\(pick(["not ", "!"], &random))(\(generate(.boolean, depth: depth - 1, random: &random)))"
            case 1:
                let left = generate(.number, depth: depth - 1, random: &random)
                let right = generate(.number, depth: depth - 1, random: &random)
                return "(\(left)) \(pick(["<", "<=", ">", ">=", "==", "!="], &random)) (\(right))"
            case 2:
                let left = generate(.text, depth: 0, random: &random)
                return "\(left) \(pick(["==", "!="], &random)) \(generate(.text, depth: 0, random: &random))"
            default:
                let left = generate(.boolean, depth: depth - 1, random: &random)
                let right = generate(.boolean, depth: depth - 1, random: &random)
                return "(\(left)) \(pick(["and", "or", "&&", "||"], &random)) (\(right))"
            }
        }
    }

    /// Parses `text`: an expression must survive a round trip and evaluation, an error must have a column in range.
    private func check(_ text: String, random: inout SplitMix64) -> Bool {
        do {
            let expression = try parse(text)
            let again = try parse(expression.description)
            #expect(again == expression, "\(text) → \(expression.description)")
            let known = random.next() % 2 == 0
            let values: [String: ExpressionValue] = [
                "a": .number(0), "x": .number(-3), "y": .number(1e308), "spindle_speed": .number(9500),
                "b": .boolean(true), "flag": .boolean(false), "state": .text("run"),
            ]
            _ = expression.evaluate { name in known ? values[name] : nil }
            return true
        } catch {
            #expect((1...(text.count + 1)).contains(error.column), "\(text.debugDescription): \(error)")
            return false
        }
    }
}
