/// A value an expression computes.
public enum ExpressionValue: Sendable, Equatable {
    case number(Double)
    case boolean(Bool)
    case text(String)

    /// The type of this value.
    public var type: ExpressionType {
        switch self {
        case .number: .number
        case .boolean: .boolean
        case .text: .text
        }
    }
}

/// The type of an expression or a variable, known before anything is evaluated.
public enum ExpressionType: String, Sendable, CaseIterable {
    case number, boolean, text

    /// How error messages name the type: "a number", "text", "true/false".
    var spoken: String {
        switch self {
        case .number: "a number"
        case .boolean: "true/false"
        case .text: "text"
        }
    }
}

/// A parsed, type-checked alert expression such as `spindle_speed > 11000 and state == 'running'`.
///
/// Build one with ``ExpressionParser/parse(_:variables:)``; its ``description`` reads back to an equal value.
public indirect enum RuleExpression: Sendable, Equatable, CustomStringConvertible {
    /// A finite number literal.
    case number(Double)
    /// A text literal.
    case text(String)
    /// `true` or `false`.
    case boolean(Bool)
    /// A variable and the type it was declared with.
    case variable(String, ExpressionType)
    /// `-x` or `not x`.
    case unary(UnaryOperator, RuleExpression)
    /// `a + b`, `a < b`, `a and b`, ...
    case binary(BinaryOperator, RuleExpression, RuleExpression)
    /// `abs(x)`, `min(a, b, ...)`, `max(a, b, ...)`.
    case call(Function, [RuleExpression])

    /// A prefix operator.
    public enum UnaryOperator: String, Sendable, CaseIterable {
        /// `-x`: numbers.
        case negate = "-"
        /// `not x` (also `!x`): true/false.
        case not
    }

    /// An infix operator; `rawValue` is its canonical spelling.
    public enum BinaryOperator: String, Sendable, CaseIterable {
        case or, and
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
        case add = "+", subtract = "-", multiply = "*", divide = "/"
        /// Truncating remainder: the result has the sign of the left side.
        case remainder = "%"
    }

    /// A built-in function: all take and return numbers.
    public enum Function: String, Sendable, CaseIterable {
        /// `abs(x)`: exactly one argument.
        case abs
        /// `min(a, ...)`: at least one argument.
        case min
        /// `max(a, ...)`: at least one argument.
        case max
    }

    /// The static type: what ``evaluate(_:)`` returns when it returns a value.
    public var type: ExpressionType {
        switch self {
        case .number, .call: .number
        case .text: .text
        case .boolean: .boolean
        case .variable(_, let type): type
        case .unary(.negate, _): .number
        case .unary(.not, _): .boolean
        case .binary(let op, _, _): op.precedence >= .additive ? .number : .boolean
        }
    }

    /// Every variable name the expression refers to.
    public var variables: Set<String> {
        var names: Set<String> = []
        collectVariables(into: &names)
        return names
    }

    private func collectVariables(into names: inout Set<String>) {
        switch self {
        case .number, .text, .boolean: break
        case .variable(let name, _): names.insert(name)
        case .unary(_, let operand): operand.collectVariables(into: &names)
        case .binary(_, let lhs, let rhs):
            lhs.collectVariables(into: &names)
            rhs.collectVariables(into: &names)
        case .call(_, let arguments):
            for argument in arguments { argument.collectVariables(into: &names) }
        }
    }
}

// MARK: - Evaluation

extension RuleExpression {
    /// Evaluates with `lookup` giving each variable's current value; nil = unknown (missing data).
    ///
    /// Unknown values propagate through arithmetic, comparisons and functions; `and`/`or` follow Kleene
    /// logic (`false and unknown` is false, `true or unknown` is true). Division or `%` by zero, any
    /// non-finite result, and a variable whose value has the wrong type are unknown too.
    public func evaluate(_ lookup: (String) -> ExpressionValue?) -> ExpressionValue? {
        switch self {
        case .number(let value):
            return value.isFinite ? .number(value) : nil
        case .text(let value):
            return .text(value)
        case .boolean(let value):
            return .boolean(value)
        case .variable(let name, let type):
            guard let value = lookup(name), value.type == type else { return nil }
            if case .number(let number) = value, !number.isFinite { return nil }
            return value
        case .unary(.negate, let operand):
            guard case .number(let number)? = operand.evaluate(lookup) else { return nil }
            return .number(-number)
        case .unary(.not, let operand):
            guard case .boolean(let value)? = operand.evaluate(lookup) else { return nil }
            return .boolean(!value)
        case .binary(.and, let lhs, let rhs):
            let left = lhs.evaluate(lookup)
            if left == .boolean(false) { return .boolean(false) }
            let right = rhs.evaluate(lookup)
            if right == .boolean(false) { return .boolean(false) }
            return left == .boolean(true) && right == .boolean(true) ? .boolean(true) : nil
        case .binary(.or, let lhs, let rhs):
            let left = lhs.evaluate(lookup)
            if left == .boolean(true) { return .boolean(true) }
            let right = rhs.evaluate(lookup)
            if right == .boolean(true) { return .boolean(true) }
            return left == .boolean(false) && right == .boolean(false) ? .boolean(false) : nil
        case .binary(let op, let lhs, let rhs):
            guard let left = lhs.evaluate(lookup), let right = rhs.evaluate(lookup) else { return nil }
            return Self.apply(op, left, right)
        case .call(let function, let arguments):
            var numbers: [Double] = []
            numbers.reserveCapacity(arguments.count)
            for argument in arguments {
                guard case .number(let number)? = argument.evaluate(lookup) else { return nil }
                numbers.append(number)
            }
            return Self.call(function, numbers)
        }
    }

    /// `op` applied to two known values; nil when the types do not fit or the result is not finite.
    private static func apply(_ op: BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue) -> ExpressionValue? {
        switch (op, left, right) {
        case (.equal, _, _):
            return equal(left, right).map { .boolean($0) }
        case (.notEqual, _, _):
            return equal(left, right).map { .boolean(!$0) }
        case (_, .number(let a), .number(let b)):
            switch op {
            case .less: return .boolean(a < b)
            case .lessOrEqual: return .boolean(a <= b)
            case .greater: return .boolean(a > b)
            case .greaterOrEqual: return .boolean(a >= b)
            case .add: return finite(a + b)
            case .subtract: return finite(a - b)
            case .multiply: return finite(a * b)
            case .divide: return b == 0 ? nil : finite(a / b)
            case .remainder: return b == 0 ? nil : finite(a.truncatingRemainder(dividingBy: b))
            case .and, .or, .equal, .notEqual: return nil
            }
        default:
            return nil
        }
    }

    private static func equal(_ left: ExpressionValue, _ right: ExpressionValue) -> Bool? {
        switch (left, right) {
        case (.number(let a), .number(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.boolean(let a), .boolean(let b)): a == b
        default: nil
        }
    }

    private static func call(_ function: Function, _ numbers: [Double]) -> ExpressionValue? {
        switch function {
        case .abs:
            guard numbers.count == 1 else { return nil }
            return finite(Swift.abs(numbers[0]))
        case .min:
            return numbers.min().flatMap(finite)
        case .max:
            return numbers.max().flatMap(finite)
        }
    }

    private static func finite(_ value: Double) -> ExpressionValue? {
        value.isFinite ? .number(value) : nil
    }
}

// MARK: - Canonical text

/// Binding strength, loosest first; the parser and ``RuleExpression/description`` share it.
enum ExpressionPrecedence: Int, Comparable {
    case or = 1, and, not, comparison, additive, multiplicative, negate, primary

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The next tighter level (``primary`` stays ``primary``).
    var tighter: Self { Self(rawValue: rawValue + 1) ?? .primary }
}

extension RuleExpression.BinaryOperator {
    var precedence: ExpressionPrecedence {
        switch self {
        case .or: .or
        case .and: .and
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual: .comparison
        case .add, .subtract: .additive
        case .multiply, .divide, .remainder: .multiplicative
        }
    }
}

extension RuleExpression {
    /// Canonical text that parses back to an equal expression: operators spelled `and`, `or`, `not`,
    /// one space around infix operators, parentheses only where precedence needs them.
    ///
    /// Literals the parser never produces (non-finite numbers, text holding both kinds of quote) have
    /// no exact spelling; they are written as closely as the language allows.
    public var description: String { written(inside: .or) }

    private var precedence: ExpressionPrecedence {
        switch self {
        case .number, .text, .boolean, .variable, .call: .primary
        case .unary(.negate, _): .negate
        case .unary(.not, _): .not
        case .binary(let op, _, _): op.precedence
        }
    }

    /// The text, parenthesised if it binds more loosely than `minimum`.
    private func written(inside minimum: ExpressionPrecedence) -> String {
        let text = unparenthesised
        return precedence < minimum ? "(\(text))" : text
    }

    private var unparenthesised: String {
        switch self {
        case .number(let value):
            return value.sign == .minus ? "(-\(Self.format(-value)))" : Self.format(value)
        case .text(let value):
            return value.contains("'") && !value.contains("\"") ? "\"\(value)\"" : "'\(value)'"
        case .boolean(let value):
            return value ? "true" : "false"
        case .variable(let name, _):
            return name
        case .unary(.negate, let operand):
            let text = operand.written(inside: .negate)
            return text.hasPrefix("-") ? "- \(text)" : "-\(text)"
        case .unary(.not, let operand):
            return "not " + operand.written(inside: .not)
        case .binary(let op, let lhs, let rhs):
            let level = op.precedence
            // Comparisons do not chain, so neither side may be a bare comparison.
            let left = lhs.written(inside: level == .comparison ? level.tighter : level)
            return "\(left) \(op.rawValue) \(rhs.written(inside: level.tighter))"
        case .call(let function, let arguments):
            return "\(function.rawValue)(\(arguments.map(\.description).joined(separator: ", ")))"
        }
    }

    /// The shortest text that reads back to exactly `value`, without a trailing `.0`.
    private static func format(_ value: Double) -> String {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
