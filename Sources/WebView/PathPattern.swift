import TwinModel

/// A pattern over plant paths written like an MQTT topic filter: `site/area/#`, `+/+/line-1/+`, `#`. `+` stands for
/// one level, `#` (last only) for that level and every one below it; any other level is a name.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    enum Level: Sendable, Hashable {
        case name(String)
        case any
    }

    let levels: [Level]
    /// Whether the pattern ends in `#`.
    let deeper: Bool
    public let description: String

    /// Every path.
    public static let all = try! PathPattern("#")

    /// - Throws: ``PatternError`` saying which level is wrong.
    public init(_ text: String) throws(PatternError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 4 || parts.count == 5 && parts.last == "#" else {
            throw PatternError(text, "has \(parts.count) levels; a plant path has at most 4 (site/area/line/machine)")
        }
        var levels: [Level] = []
        var deeper = false
        for (index, part) in parts.enumerated() {
            switch part {
            case "#":
                guard index == parts.count - 1 else { throw PatternError(text, "'#' may only be the last level") }
                deeper = true
            case "+":
                levels.append(.any)
            case "":
                throw PatternError(text, "level \(index + 1) is empty")
            default:
                guard !part.contains("#"), !part.contains("+") else {
                    throw PatternError(text, "'\(part)': '+' and '#' stand alone in a level")
                }
                levels.append(.name(part))
            }
        }
        self.levels = levels
        self.deeper = deeper
        description = text
    }

    /// Whether `path` (at any level) matches.
    public func matches(_ path: PlantPath) -> Bool {
        let names = path.levelNames
        guard deeper ? names.count >= levels.count : names.count == levels.count else { return false }
        for (level, name) in zip(levels, names) {
            if case .name(let expected) = level, expected != name { return false }
        }
        return true
    }
}

/// A path pattern that cannot be read, and why.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let reason: String

    init(_ pattern: String, _ reason: String) {
        // What is echoed back of a client's text stays short.
        self.pattern = String(pattern.prefix(128))
        self.reason = reason
    }

    public var description: String { "path pattern '\(pattern)' \(reason)" }
}
