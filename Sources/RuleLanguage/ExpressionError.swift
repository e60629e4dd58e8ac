/// A problem in an alert expression or a message template, printed as `column N: message`.
///
/// The column is 1-based and counts `Character`s of the text that was parsed, so a rule file can point
/// at the exact spot (an `é` or `°` before it counts as one).
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is: 1-based, in `Character`s; one past the last character for "unexpected end".
    public var column: Int
    /// What is wrong, and where it helps, what to write instead.
    public var message: String

    /// An error at `column` (1-based, in `Character`s).
    public init(_ message: String, column: Int) {
        self.column = column
        self.message = message
    }

    /// `column N: message`.
    public var description: String { "column \(column): \(message)" }
}
