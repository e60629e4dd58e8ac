/// Writing YAML values by hand, for kind files that read well and come out the same every time.
enum YAMLText {
    /// A double-quoted YAML string (whose escapes are JSON's).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                out += "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count) + String(control.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A number as short as it reads back: `12000`, `4.5`, `0.05`.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// `[low, high]`.
    static func range(_ range: ClosedRange<Double>) -> String {
        "[\(number(range.lowerBound)), \(number(range.upperBound))]"
    }

    /// One line of comment, without line breaks.
    static func comment(_ text: String) -> String {
        "# " + text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
