/// Where something is in a source file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a kind or scenario file, printed as `file:line:column: message`.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Every problem found while loading, not just the first.
public struct ModelErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ModelError]

    public init(_ errors: [ModelError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Gathers errors while a loader carries on past them.
final class DiagnosticCollector {
    private(set) var errors: [ModelError] = []

    /// Runs `body`; a ``ModelError`` (or ``ModelErrors``) it throws is recorded and `nil` returned.
    func collect<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as ModelError {
            errors.append(error)
        } catch let errors as ModelErrors {
            self.errors += errors.errors
        } catch {
            preconditionFailure("loaders throw only ModelError: \(error)")
        }
        return nil
    }

    func record(_ error: ModelError) { errors.append(error) }

    /// Throws everything recorded, if anything was.
    func throwIfAny() throws(ModelErrors) {
        if !errors.isEmpty { throw ModelErrors(errors) }
    }
}

extension SourceLocation {
    func error(_ message: String) -> ModelError { ModelError(message, at: self) }
}
