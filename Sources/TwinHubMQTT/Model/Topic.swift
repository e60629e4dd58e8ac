/// Validation and matching of MQTT topic names and topic filters (MQTT 5 §4.7), pure Swift.
public enum Topic {
    /// The longest topic or filter MQTT can encode, in UTF-8 bytes.
    public static let maximumLength = 65_535

    /// Checks that `name` can be published to: not empty, no `+` or `#`, no NUL, at most 65,535 bytes.
    /// - Throws: ``MQTTError`` with code ``MQTTError/Code/invalidTopic``, saying what is wrong.
    public static func validateName(_ name: String) throws(MQTTError) {
        // Every publish is checked: one pass over the bytes for a good name; what is wrong is worked out after.
        let valid = name.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.isEmpty && bytes.count <= maximumLength
                && !bytes.contains { $0 == 0 || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }
        }
        if valid == true { return }
        try validateCommon(name, code: .invalidTopic, kind: "topic")
        if let index = name.utf8.firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) {
            let column = name.utf8.distance(from: name.utf8.startIndex, to: index) + 1
            throw MQTTError(.invalidTopic, "wildcard '\(Character(Unicode.Scalar(name.utf8[index])))' at column \(column) is not allowed in a topic name", topic: name)
        }
    }

    /// Checks that `filter` can be subscribed to: `+` fills a whole level, `#` is a whole last level,
    /// and a shared subscription reads `$share/{group}/{filter}` with a non-empty group free of wildcards.
    /// - Throws: ``MQTTError`` with code ``MQTTError/Code/invalidFilter``, saying what is wrong.
    public static func validateFilter(_ filter: String) throws(MQTTError) {
        try validateCommon(filter, code: .invalidFilter, kind: "filter")
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        var body = levels[...]
        if levels[0] == "$share" {
            guard levels.count >= 3 else {
                throw MQTTError(.invalidFilter, "a shared subscription reads $share/{group}/{filter}", topic: filter)
            }
            let group = levels[1]
            if group.isEmpty || group.contains("+") || group.contains("#") {
                throw MQTTError(.invalidFilter, "the share group must be non-empty and free of wildcards", topic: filter)
            }
            body = levels[2...]
        }
        for (offset, level) in zip(body.indices, body) {
            if level.contains("#") && (level != "#" || offset != body.index(before: body.endIndex)) {
                throw MQTTError(.invalidFilter, "'#' must be a whole level and the last one (level \(offset + 1))", topic: filter)
            }
            if level.contains("+") && level != "+" {
                throw MQTTError(.invalidFilter, "'+' must fill a whole level (level \(offset + 1))", topic: filter)
            }
        }
    }

    /// Whether a message published on `topic` is delivered to a subscription on `filter`.
    ///
    /// Follows MQTT's rules: `+` matches exactly one level, `#` the parent level and any number below,
    /// wildcards at the first level do not match topics starting with `$`, and a `$share/{group}/`
    /// prefix is ignored. Both arguments are assumed valid.
    public static func matches(filter: String, topic: String) -> Bool {
        var filterBytes = filter.utf8[...]
        if filter.hasPrefix("$share/") {
            filterBytes = filterBytes.dropFirst(7)
            guard let slash = filterBytes.firstIndex(of: UInt8(ascii: "/")) else { return false }
            filterBytes = filterBytes[filterBytes.index(after: slash)...]
        }
        let topicBytes = topic.utf8[...]
        if topicBytes.first == UInt8(ascii: "$"),
           let first = filterBytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "#") {
            return false
        }
        return matchLevels(filterBytes, topicBytes)
    }

    /// Splits a shared-subscription filter into its group and the filter that topics are matched against.
    public static func sharedGroup(of filter: String) -> (group: String, filter: String)? {
        guard filter.hasPrefix("$share/") else { return nil }
        let levels = filter.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard levels.count == 3 else { return nil }
        return (String(levels[1]), String(levels[2]))
    }

    private static func matchLevels(_ filter: Substring.UTF8View, _ topic: Substring.UTF8View) -> Bool {
        // Level by level, without splitting into arrays: every message is matched against every filter.
        var filterLevels = Levels(rest: filter)
        var topicLevels = Levels(rest: topic)
        while true {
            let filterLevel = filterLevels.next()
            let topicLevel = topicLevels.next()
            switch (filterLevel, topicLevel) {
            case (nil, nil):
                return true
            case let (filterLevel?, _) where filterLevel.elementsEqual("#".utf8):
                return true
            case (_?, nil), (nil, _?):
                return false
            case let (filterLevel?, topicLevel?):
                if filterLevel.elementsEqual("+".utf8) { continue }
                if !filterLevel.elementsEqual(topicLevel) { return false }
            }
        }
    }

    /// The levels of a topic or filter, as `split(separator: "/", omittingEmptySubsequences: false)` gives them.
    private struct Levels {
        var rest: Substring.UTF8View?

        mutating func next() -> Substring.UTF8View? {
            guard let current = rest else { return nil }
            guard let slash = current.firstIndex(of: UInt8(ascii: "/")) else {
                rest = nil
                return current
            }
            rest = current[current.index(after: slash)...]
            return current[..<slash]
        }
    }

    private static func validateCommon(_ value: String, code: MQTTError.Code, kind: String) throws(MQTTError) {
        if value.isEmpty {
            throw MQTTError(code, "a \(kind) must not be empty", topic: value)
        }
        if value.utf8.count > maximumLength {
            throw MQTTError(code, "a \(kind) is at most \(maximumLength) bytes, this one is \(value.utf8.count)", topic: String(value.prefix(64)) + "…")
        }
        if let index = value.utf8.firstIndex(of: 0) {
            let column = value.utf8.distance(from: value.utf8.startIndex, to: index) + 1
            throw MQTTError(code, "a \(kind) must not contain NUL (column \(column))", topic: value)
        }
    }
}
