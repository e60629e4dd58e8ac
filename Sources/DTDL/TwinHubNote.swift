import TwinModel

/// What TwinHub writes into a DTDL element's `comment` so that importing its export gives the same kind back:
/// `twinhub: unit mm/s; normal 0..4.5; limits 0..45; decimals 2`. Other tools keep comments as they are.
enum TwinHubNote {
    static let prefix = "twinhub:"

    /// The pairs of a note, or `[:]` when the comment is not one.
    static func parse(_ comment: String?) -> [String: String] {
        guard let comment, comment.hasPrefix(prefix) else { return [:] }
        var pairs: [String: String] = [:]
        for part in comment.dropFirst(prefix.count).split(separator: ";") {
            let trimmed = part.drop { $0 == " " }
            let words = trimmed.split(separator: " ", maxSplits: 1)
            guard let key = words.first else { continue }
            pairs[String(key)] = words.count > 1 ? String(words[1]).trimmingTrailingSpaces : ""
        }
        return pairs
    }

    /// A note of `pairs`, in their order.
    static func format(_ pairs: [(String, String)]) -> String {
        prefix + " " + pairs.map { $0.1.isEmpty ? $0.0 : "\($0.0) \($0.1)" }.joined(separator: "; ")
    }

    /// Whether `text` can be a kind's id: letters, digits, `_` and `-`, not first.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first != "_", first != "-" else { return false }
        return text.unicodeScalars.allSatisfy { DTDLName.isLetter($0) || DTDLName.isDigit($0) || $0 == "_" || $0 == "-" }
    }

    /// Whether `text` is a duration as kind files write them (`4m`, `1h30m`, `250ms`).
    static func isDuration(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { DTDLName.isLetter($0) || DTDLName.isDigit($0) || $0 == "." } && DurationText.parse(text) != nil
    }

    /// Whether `text` is states separated by commas (`running,setup`).
    static func isStateList(_ text: String) -> Bool {
        let states = text.split(separator: ",", omittingEmptySubsequences: false)
        return !states.isEmpty && states.allSatisfy { MachineState(rawValue: String($0)) != nil }
    }

    /// `low..high` as a range.
    static func range(_ text: String?) -> ClosedRange<Double>? {
        guard let text else { return nil }
        let ends = text.split(separator: "..", omittingEmptySubsequences: false)
        guard ends.count == 2, let low = Double(ends[0]), let high = Double(ends[1]), low.isFinite, high.isFinite, low <= high else { return nil }
        return low...high
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Substring {
    var trimmingTrailingSpaces: String { String(self).trimmingTrailingSpaces }
}
