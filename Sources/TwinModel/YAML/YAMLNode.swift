import RuleLanguage
import Foundation
import Yams

/// A YAML node with its position, and typed accessors whose errors say where and why.
struct YAMLNode {
    let node: Node
    let file: String

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ message: String) -> ModelError { ModelError(message, at: location) }

    /// Parses a whole file. Malformed YAML becomes a ``ModelError`` at the position libyaml reports.
    static func parse(_ text: String, file: String) throws(ModelError) -> YAMLNode {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ModelError("the file is empty", at: SourceLocation(file: file, line: 1, column: 1))
            }
            return YAMLNode(node: root, file: file)
        } catch let error as ModelError {
            throw error
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        } catch {
            throw ModelError("cannot read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    private static func describe(_ error: YamlError, file: String) -> ModelError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            // libyaml names its own API in this one; say what it means instead.
            if problem.hasPrefix("Maximum nesting level reached") {
                return ModelError("malformed YAML: nested too deeply (libyaml stops at 1000 levels)\(detail)", at: at(mark))
            }
            return ModelError("malformed YAML: \(problem)\(detail)", at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ModelError("duplicate key \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in a mapping", at: at(context.mark))
        case .reader(let problem, _, _, _):
            return ModelError("unreadable YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return ModelError("malformed YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    // MARK: Typed access

    func mapping(_ what: String) throws(ModelError) -> YAMLMapping {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping (key: value)") }
        return YAMLMapping(mapping: mapping, file: file, location: location, what: what)
    }

    func sequence(_ what: String) throws(ModelError) -> [YAMLNode] {
        guard let sequence = node.sequence else { throw error("\(what) must be a list") }
        return sequence.map { YAMLNode(node: $0, file: file) }
    }

    func string(_ what: String) throws(ModelError) -> String {
        guard let scalar = node.scalar else { throw error("\(what) must be a single value") }
        return scalar.string
    }

    /// An identifier: letters, digits, `_` and `-`, starting with a letter or digit (used in topics).
    func identifier(_ what: String) throws(ModelError) -> String {
        let text = try string(what)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }),
              text.first != "-", text.first != "_" else {
            throw error("\(what) '\(text)' must be letters, digits, '_' or '-' (it becomes part of MQTT topics)")
        }
        return text
    }

    func double(_ what: String) throws(ModelError) -> Double {
        let text = try string(what)
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw error("\(what) must be a finite number, not '\(text)'")
        }
        return value
    }

    func int(_ what: String) throws(ModelError) -> Int {
        let text = try string(what)
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("\(what) must be a whole number, not '\(text)'")
        }
        return value
    }

    func bool(_ what: String) throws(ModelError) -> Bool {
        switch try string(what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("\(what) must be true or false, not '\(other)'")
        }
    }

    /// A duration: a number of seconds, or `90s`, `15m`, `2h`, `1d`, `1h30m`, `250ms`.
    func duration(_ what: String) throws(ModelError) -> Duration {
        let text = try string(what)
        guard let value = DurationText.parse(text) else {
            throw error("\(what) must be a duration such as 30s, 15m, 2h or 1h30m (at most 31 years), not '\(text)'")
        }
        return value
    }

    /// `[low, high]` with low ≤ high.
    func range(_ what: String) throws(ModelError) -> ClosedRange<Double> {
        let items = try sequence(what)
        guard items.count == 2 else { throw error("\(what) must be [low, high]") }
        let low = try items[0].double("\(what) low end")
        let high = try items[1].double("\(what) high end")
        guard low <= high else { throw error("\(what) is impossible: low end \(low) is above high end \(high)") }
        return low...high
    }
}

/// A YAML mapping whose keys are strings, read with checks.
struct YAMLMapping {
    let mapping: Node.Mapping
    let file: String
    let location: SourceLocation
    let what: String

    /// Key, key position and value, in file order.
    var entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        mapping.map { pair in
            (pair.key.scalar?.string ?? "\(pair.key)", YAMLNode(node: pair.key, file: file), YAMLNode(node: pair.value, file: file))
        }
    }

    func optional(_ key: String) -> YAMLNode? {
        mapping[key].map { YAMLNode(node: $0, file: file) }
    }

    func required(_ key: String) throws(ModelError) -> YAMLNode {
        guard let value = optional(key) else { throw ModelError("\(what) needs '\(key)'", at: location) }
        return value
    }

    /// Fails on the first key not in `allowed`, naming the closest allowed one.
    func checkKeys(_ allowed: [String]) throws(ModelError) {
        for entry in entries where !allowed.contains(entry.key) {
            let hint = Spelling.hint(for: entry.key, in: allowed)
            throw entry.keyNode.error("unknown key '\(entry.key)' in \(what)\(hint)")
        }
    }
}

/// Parses durations written the way people write them in YAML files.
public enum DurationText {
    /// The longest duration accepted anywhere (about 31 years): beyond it `Duration` arithmetic overflows.
    public static let maximumSeconds = 1e9

    /// `seconds` as a `Duration`, or `nil` if it is negative, not finite or above ``maximumSeconds``.
    public static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= maximumSeconds else { return nil }
        return .seconds(seconds)
    }

    /// `90`, `90s`, `15m`, `2h`, `1d`, `1h30m`, `250ms`, `1.5h`; `nil` if it is none of these or too long.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return duration(seconds: seconds) }
        var total = 0.0
        var number = ""
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while let character = rest.first {
            if character.isNumber || character == "." {
                number.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: Double
            if rest.hasPrefix("ms") { unit = 0.001; rest = rest.dropFirst(2) }
            else if rest.hasPrefix("s") { unit = 1; rest = rest.dropFirst() }
            else if rest.hasPrefix("m") { unit = 60; rest = rest.dropFirst() }
            else if rest.hasPrefix("h") { unit = 3600; rest = rest.dropFirst() }
            else if rest.hasPrefix("d") { unit = 86_400; rest = rest.dropFirst() }
            else { return nil }
            total += value * unit
            number = ""
        }
        guard number.isEmpty else { return nil }
        return duration(seconds: total)
    }
}
