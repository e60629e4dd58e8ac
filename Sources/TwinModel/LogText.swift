/// Text from the outside (topics, payload excerpts, names in messages) made safe for a log line: control characters
/// (C0, DEL, C1), which could move a terminal's cursor, change its title or ring its bell, are written as `\u{1B}`.
public enum LogText {
    /// `text` with every control character escaped, tab and line breaks included (a log line stays one line).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                escaped += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
