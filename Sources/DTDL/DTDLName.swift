/// DTDL's rule for the names of contents, enum values, fields and command payloads.
public enum DTDLName {
    /// Why `name` is not a DTDL name, or `nil`: `^[a-zA-Z](?:[a-zA-Z0-9_]*[a-zA-Z0-9])?$`, at most 512 characters
    /// in v3 and 64 in v2.
    public static func problem(with name: String, version: Int) -> String? {
        let limit = version >= 3 ? 512 : 64
        if name.count > limit { return "the name is \(name.count) characters long; DTDL v\(version) allows \(limit)" }
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, isLetter(first) else { return "the name '\(name)' must start with a letter" }
        guard scalars.allSatisfy({ isLetter($0) || isDigit($0) || $0 == "_" }) else {
            return "the name '\(name)' may hold only letters, digits and '_'"
        }
        guard scalars.last != "_" else { return "the name '\(name)' must not end with '_'" }
        return nil
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
