/// Where something is in a DTDL file: the file, the JSON path of the value and its line and column.
public struct DTDLLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// JSON Pointer of the value (`/contents/3/schema`); `/` for the document itself.
    public var path: String
    public var line: Int
    public var column: Int

    public init(file: String, path: String, line: Int, column: Int) {
        self.file = file
        self.path = path.isEmpty ? "/" : path
        self.line = line
        self.column = column
    }

    /// The position of `node` in `file`.
    init(file: String, _ node: JSONNode) {
        self.init(file: file, path: node.path, line: node.line, column: node.column)
    }

    /// `file:line:column: /json/path`.
    public var description: String { "\(file):\(line):\(column): \(path)" }
}

/// One problem found in a DTDL model: an error makes the model unusable, a warning names something the import leaves
/// out or changes.
public struct DTDLDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    public var location: DTDLLocation
    public var message: String

    public init(_ severity: Severity, _ message: String, at location: DTDLLocation) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line:column: /json/path: message`.
    public var description: String { "\(location): \(message)" }
}

/// The error of the DTDL module: every error found (and the warnings found beside them), each with its file, JSON path
/// and line:column.
public struct DTDLError: Error, Sendable, CustomStringConvertible {
    /// Everything found, errors and warnings, in file order.
    public var diagnostics: [DTDLDiagnostic]

    public init(_ diagnostics: [DTDLDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// The errors alone.
    public var errors: [DTDLDiagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
