/// Digital Twin Model Identifiers: `dtmi:<segment>(:<segment>)*;<version>`.
public enum DTMI {
    /// Why `text` is not a DTMI (DTDL `version` 2 or 3), or `nil` if it is one. A segment starts with a letter (a
    /// leading `_` marks reserved system segments), holds letters, digits and `_` and does not end with `_`; the
    /// version is 1 to 999999999 without leading zeros, in v3 optionally `.minor` (1 to 999999).
    public static func problem(with text: String, version: Int, requireVersion: Bool) -> String? {
        guard text.hasPrefix("dtmi:") else { return "a DTMI starts with 'dtmi:'" }
        let body = text.dropFirst(5)
        let parts = body.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        if path.isEmpty { return "a DTMI needs at least one path segment" }
        for segment in path.split(separator: ":", omittingEmptySubsequences: false) {
            if let problem = segmentProblem(segment) { return problem }
        }
        guard parts.count == 2 else {
            return requireVersion ? "an Interface's DTMI needs a version (';1')" : nil
        }
        let versionText = parts[1]
        let numbers = versionText.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 1 || (numbers.count == 2 && version >= 3) else {
            return version >= 3 ? "the version '\(versionText)' must be 'major' or 'major.minor'" : "a DTDL v2 version is one number, not '\(versionText)'"
        }
        if !isVersionNumber(numbers[0], maxDigits: 9) { return "the major version '\(numbers[0])' must be 1 to 999999999 without leading zeros" }
        if numbers.count == 2, !isVersionNumber(numbers[1], maxDigits: 6) { return "the minor version '\(numbers[1])' must be 1 to 999999 without leading zeros" }
        return nil
    }

    /// The DTMI's last path segment (`CncMachine` of `dtmi:com:example:CncMachine;1`).
    public static func lastSegment(of text: String) -> String {
        let path = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? text
        return path.split(separator: ":").last.map(String.init) ?? text
    }

    private static func segmentProblem(_ segment: Substring) -> String? {
        let scalars = Array(segment.unicodeScalars)
        guard let first = scalars.first else { return "a DTMI has an empty path segment" }
        guard scalars.allSatisfy({ DTDLName.isLetter($0) || DTDLName.isDigit($0) || $0 == "_" }) else {
            return "the DTMI segment '\(segment)' may hold only letters, digits and '_'"
        }
        guard DTDLName.isLetter(first) || first == "_" else { return "the DTMI segment '\(segment)' must start with a letter" }
        guard scalars.last != "_" else { return "the DTMI segment '\(segment)' must not end with '_'" }
        return nil
    }

    private static func isVersionNumber(_ text: Substring, maxDigits: Int) -> Bool {
        !text.isEmpty && text.count <= maxDigits && text.first != "0" && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }
}
