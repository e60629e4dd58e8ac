/// JSON to write, with object members in the order given, pretty-printed with two spaces: DTDL files that read well
/// and come out the same every time.
indirect enum JSONText {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONText])
    case object([(String, JSONText)])

    /// The text, indented by `level` steps.
    func rendered(level: Int = 0) -> String {
        let indent = String(repeating: "  ", count: level + 1)
        let closing = String(repeating: "  ", count: level)
        switch self {
        case .string(let text): return Self.quoted(text)
        case .number(let value): return YAMLText.number(value)
        case .bool(let value): return value ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                return "[ " + items.map { $0.rendered() }.joined(separator: ", ") + " ]"
            }
            return "[\n" + items.map { indent + $0.rendered(level: level + 1) }.joined(separator: ",\n") + "\n\(closing)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { indent + Self.quoted($0.0) + ": " + $0.1.rendered(level: level + 1) }.joined(separator: ",\n") + "\n\(closing)}"
        }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        // YAML's double-quoted escapes used here are JSON's too.
        YAMLText.quoted(text)
    }
}
