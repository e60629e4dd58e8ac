import Foundation
import TwinModel

/// Validates JSON against JSON Schema (draft 2020-12), for the keywords TwinHub's schemas use:
///
/// - `type` (a name or an array of names, `null` and `integer` included), `enum`, `const`;
/// - objects: `required`, `properties`, `patternProperties`, `additionalProperties` (a boolean or a schema),
///   `dependentRequired`;
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`;
/// - strings: `minLength`, `maxLength` (in code points), `pattern` (found anywhere in the string, as the spec says;
///   `\d` and `\w` are ASCII, as in ECMA-262);
/// - arrays: `items`, `minItems`, `maxItems`;
/// - `$ref` to `#/$defs/…` in the same schema, or to another loaded schema by its `$id`, relative to the referring
///   one's (`alert.schema.json`, `kpi.schema.json#/$defs/figures`); `allOf`, `anyOf`, `oneOf`, `not`;
/// - boolean schemas (`true`, and `false`, which nothing matches: `"properties": {"x": false}` forbids `x`);
/// - annotations, which it reads and ignores: `$schema`, `$id` (at the root), `$defs`, `title`, `description`, `contentMediaType`, `contentEncoding`,
///   `$comment`, `examples`, `default`.
///
/// Any other keyword, a malformed keyword value, a `$ref` that leads nowhere or a pattern that does not compile is
/// an error when the schemas are loaded: a schema never passes because a keyword of it was not checked.
///
/// Every problem comes with the JSON path of the value it is about (`$.alert.explanation.values.temp`,
/// `$.properties.spindle_speed.offsets_s[3]`).
public struct SchemaValidator {
    /// One way a value breaks its schema.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// Where: `$` is the whole document.
        public var path: String
        /// The keyword that failed.
        public var keyword: String
        public var message: String

        public init(path: String, keyword: String, message: String) {
            self.path = path
            self.keyword = keyword
            self.message = message
        }

        public var description: String { "\(path): \(message) [\(keyword)]" }
    }

    /// A schema that cannot be used: what is wrong and where.
    public struct SchemaError: Error, Sendable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The loaded schemas by `$id` (without a fragment).
    public private(set) var documents: [String: JSON] = [:]
    /// The `$id` of each schema loaded from a file, by file name.
    public private(set) var files: [String: String] = [:]
    /// Every `pattern` and `patternProperties` key, compiled once.
    private var patterns: [String: Regex<AnyRegexOutput>] = [:]

    /// Loads schemas, each with an absolute `$id`, and checks that every keyword and reference can be used.
    public init(schemas: [JSON]) throws(SchemaError) {
        for schema in schemas { try add(schema, file: nil) }
        try checkAll()
    }

    /// Loads every `*.schema.json` of `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".schema.json") }.sorted()
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            do {
                try add(try JSONReader.read(bytes), file: name)
            } catch let error as PayloadError {
                throw SchemaError(description: "\(name): not JSON: \(error)")
            }
        }
        try checkAll()
    }

    /// The problems of `payload` (JSON text) against the schema `schema`: an `$id`, or the file name of a schema
    /// loaded from a directory. Empty when it is valid.
    public func validate(_ payload: [UInt8], against schema: String) -> [Problem] {
        do {
            return validate(try JSONReader.read(payload), against: schema)
        } catch {
            return [Problem(path: "$", keyword: "json", message: "not JSON: \(error)")]
        }
    }

    /// The problems of `value` against the schema `schema` (an `$id` or a loaded file's name). Empty when it is valid.
    public func validate(_ value: JSON, against schema: String) -> [Problem] {
        let id = files[schema] ?? schema
        guard let document = documents[id] else {
            return [Problem(path: "$", keyword: "$id", message: "no schema \(schema) is loaded")]
        }
        var problems: [Problem] = []
        check(value, document, in: id, at: "$", into: &problems)
        return problems
    }

    // MARK: Loading

    private static let annotations: Set<String> = ["$schema", "$defs", "title", "description", "$comment", "examples", "default", "contentMediaType", "contentEncoding"]
    private static let schemaKeywords: Set<String> = ["additionalProperties", "items", "not"]
    private static let schemaMapKeywords: Set<String> = ["properties", "patternProperties", "$defs"]
    private static let schemaListKeywords: Set<String> = ["allOf", "anyOf", "oneOf"]
    private static let numberKeywords: Set<String> = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
    private static let countKeywords: Set<String> = ["minLength", "maxLength", "minItems", "maxItems"]
    private static let otherKeywords: Set<String> = ["$id", "$ref", "type", "enum", "const", "required", "dependentRequired", "pattern"]
    private static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    private mutating func add(_ schema: JSON, file: String?) throws(SchemaError) {
        guard case .string(let id)? = schema["$id"], id.contains("://"), !id.contains("#") else {
            throw SchemaError(description: "\(file ?? "a schema") has no absolute \"$id\" without a fragment")
        }
        guard documents[id] == nil else { throw SchemaError(description: "two schemas have the $id \(id)") }
        documents[id] = schema
        if let file { files[file] = id }
    }

    /// Checks every schema's keywords and references, and compiles its patterns.
    private mutating func checkAll() throws(SchemaError) {
        for (id, document) in documents.sorted(by: { $0.key < $1.key }) {
            var references: [(String, String)] = []
            try inspect(document, at: "\(id)#", isRoot: true, references: &references)
            for (reference, location) in references where resolve(reference, from: id) == nil {
                throw SchemaError(description: "\(location): $ref \"\(reference)\" leads to no schema")
            }
        }
    }

    private mutating func inspect(_ schema: JSON, at location: String, isRoot: Bool = false, references: inout [(String, String)]) throws(SchemaError) {
        func fail(_ message: String) -> SchemaError { SchemaError(description: "\(location): \(message)") }
        if case .bool = schema { return }
        guard case .object(let keywords) = schema else { throw fail("a schema must be an object or a boolean") }
        for (keyword, value) in keywords.sorted(by: { $0.key < $1.key }) {
            let here = "\(location)/\(keyword)"
            if Self.schemaKeywords.contains(keyword) {
                try inspect(value, at: here, references: &references)
            } else if Self.schemaMapKeywords.contains(keyword) {
                guard case .object(let members) = value else { throw fail("\(keyword) must be an object of schemas") }
                for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                    if keyword == "patternProperties" { try compile(name, at: here) }
                    try inspect(member, at: "\(here)/\(name)", references: &references)
                }
            } else if Self.schemaListKeywords.contains(keyword) {
                guard case .array(let members) = value, !members.isEmpty else { throw fail("\(keyword) must be a non-empty array of schemas") }
                for (index, member) in members.enumerated() { try inspect(member, at: "\(here)/\(index)", references: &references) }
            } else if Self.numberKeywords.contains(keyword) {
                guard case .number = value else { throw fail("\(keyword) must be a number") }
            } else if Self.countKeywords.contains(keyword) {
                guard case .number(let count) = value, count >= 0, count == count.rounded() else { throw fail("\(keyword) must be a whole number ≥ 0") }
            } else if Self.annotations.contains(keyword) {
                continue
            } else if Self.otherKeywords.contains(keyword) {
                try inspect(keyword, value, at: here, isRoot: isRoot, references: &references)
            } else {
                throw fail("unsupported keyword \"\(keyword)\"")
            }
        }
    }

    private mutating func inspect(_ keyword: String, _ value: JSON, at location: String, isRoot: Bool,
                                  references: inout [(String, String)]) throws(SchemaError) {
        func fail(_ message: String) -> SchemaError { SchemaError(description: "\(location): \(message)") }
        switch keyword {
        case "$id":
            guard isRoot else { throw fail("$id is supported at the root of a schema only") }
        case "$ref":
            guard case .string(let reference) = value else { throw fail("$ref must be a string") }
            references.append((reference, location))
        case "type":
            let names: [JSON]
            if case .array(let list) = value { names = list } else { names = [value] }
            for name in names {
                guard case .string(let text) = name, Self.typeNames.contains(text) else { throw fail("unknown type \(Self.brief(name))") }
            }
        case "enum":
            guard case .array(let options) = value, !options.isEmpty else { throw fail("enum must be a non-empty array") }
        case "required":
            guard case .array(let names) = value, names.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                throw fail("required must be an array of strings")
            }
        case "dependentRequired":
            guard case .object(let members) = value, members.values.allSatisfy({ member in
                guard case .array(let names) = member else { return false }
                return names.allSatisfy { if case .string = $0 { true } else { false } }
            }) else { throw fail("dependentRequired must map names to arrays of names") }
        case "pattern":
            guard case .string(let pattern) = value else { throw fail("pattern must be a string") }
            try compile(pattern, at: location)
        default:
            break  // const: any value
        }
    }

    private mutating func compile(_ pattern: String, at location: String) throws(SchemaError) {
        guard patterns[pattern] == nil else { return }
        do {
            patterns[pattern] = try Regex(pattern).asciiOnlyDigits().asciiOnlyWordCharacters()
        } catch {
            throw SchemaError(description: "\(location): pattern \"\(pattern)\" does not compile: \(error)")
        }
    }

    // MARK: References

    /// The schema `reference` points to from the schema `document`, and the `$id` of the schema it is in.
    private func resolve(_ reference: String, from document: String) -> (schema: JSON, document: String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        let pointer = parts.count > 1 ? String(parts[1]) : ""
        let id: String
        if base.isEmpty {
            id = document
        } else if base.contains("://") {
            id = base
        } else {
            guard let slash = document.lastIndex(of: "/") else { return nil }
            id = String(document[...slash]) + base
        }
        guard var schema = documents[id] else { return nil }
        guard !pointer.isEmpty else { return (schema, id) }
        guard pointer.hasPrefix("/") else { return nil }
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch schema {
            case .object(let members):
                guard let member = members[name] else { return nil }
                schema = member
            case .array(let elements):
                guard let index = Int(name), elements.indices.contains(index) else { return nil }
                schema = elements[index]
            default:
                return nil
            }
        }
        return (schema, id)
    }

    // MARK: Validation

    private func check(_ value: JSON, _ schema: JSON, in document: String, at path: String, into problems: inout [Problem]) {
        func problem(_ keyword: String, _ message: String) {
            problems.append(Problem(path: path, keyword: keyword, message: message))
        }
        switch schema {
        case .bool(true): return
        case .bool(false):
            problem("false", "no value is allowed here")
            return
        case .object: break
        default: return  // refused when loading
        }
        if case .string(let reference)? = schema["$ref"], let target = resolve(reference, from: document) {
            check(value, target.schema, in: target.document, at: path, into: &problems)
        }
        if let types = schema["type"] {
            let names: [String]
            if case .array(let list) = types { names = list.compactMap { if case .string(let name) = $0 { name } else { nil } } } else if case .string(let name) = types { names = [name] } else { names = [] }
            if !names.contains(where: { Self.matches(value, type: $0) }) {
                problem("type", "\(Self.brief(value)) is \(Self.typeName(of: value)), not \(names.joined(separator: " or "))")
            }
        }
        if case .array(let options)? = schema["enum"], !options.contains(value) {
            problem("enum", "\(Self.brief(value)) is none of \(options.map(Self.brief).joined(separator: ", "))")
        }
        if let constant = schema["const"], constant != value {
            problem("const", "\(Self.brief(value)) is not \(Self.brief(constant))")
        }
        switch value {
        case .number(let number): checkNumber(number, schema, problem: problem)
        case .string(let text): checkString(text, schema, problem: problem)
        case .array(let elements): checkArray(elements, schema, in: document, at: path, into: &problems)
        case .object(let members): checkObject(members, schema, in: document, at: path, into: &problems)
        case .null, .bool: break
        }
        checkCombinations(value, schema, in: document, at: path, into: &problems)
    }

    private func checkNumber(_ number: Double, _ schema: JSON, problem: (String, String) -> Void) {
        if case .number(let minimum)? = schema["minimum"], number < minimum { problem("minimum", "\(Self.text(number)) is below \(Self.text(minimum))") }
        if case .number(let maximum)? = schema["maximum"], number > maximum { problem("maximum", "\(Self.text(number)) is above \(Self.text(maximum))") }
        if case .number(let bound)? = schema["exclusiveMinimum"], number <= bound {
            problem("exclusiveMinimum", "\(Self.text(number)) is not above \(Self.text(bound))")
        }
        if case .number(let bound)? = schema["exclusiveMaximum"], number >= bound {
            problem("exclusiveMaximum", "\(Self.text(number)) is not below \(Self.text(bound))")
        }
    }

    private func checkString(_ text: String, _ schema: JSON, problem: (String, String) -> Void) {
        let length = text.unicodeScalars.count
        if case .number(let minimum)? = schema["minLength"], Double(length) < minimum {
            problem("minLength", "\(Self.brief(.string(text))) has \(length) characters, fewer than \(Self.text(minimum))")
        }
        if case .number(let maximum)? = schema["maxLength"], Double(length) > maximum {
            problem("maxLength", "\(Self.brief(.string(text))) has \(length) characters, more than \(Self.text(maximum))")
        }
        if case .string(let pattern)? = schema["pattern"], let regex = patterns[pattern], !text.contains(regex) {
            problem("pattern", "\(Self.brief(.string(text))) does not match \(pattern)")
        }
    }

    private func checkArray(_ elements: [JSON], _ schema: JSON, in document: String, at path: String, into problems: inout [Problem]) {
        if case .number(let minimum)? = schema["minItems"], Double(elements.count) < minimum {
            problems.append(Problem(path: path, keyword: "minItems", message: "has \(elements.count) items, fewer than \(Self.text(minimum))"))
        }
        if case .number(let maximum)? = schema["maxItems"], Double(elements.count) > maximum {
            problems.append(Problem(path: path, keyword: "maxItems", message: "has \(elements.count) items, more than \(Self.text(maximum))"))
        }
        if let items = schema["items"] {
            for (index, element) in elements.enumerated() { check(element, items, in: document, at: "\(path)[\(index)]", into: &problems) }
        }
    }

    private func checkObject(_ members: [String: JSON], _ schema: JSON, in document: String, at path: String, into problems: inout [Problem]) {
        if case .array(let required)? = schema["required"] {
            for case .string(let name) in required where members[name] == nil {
                problems.append(Problem(path: path, keyword: "required", message: "\"\(name)\" is missing"))
            }
        }
        if case .object(let dependencies)? = schema["dependentRequired"] {
            for (name, needed) in dependencies.sorted(by: { $0.key < $1.key }) where members[name] != nil {
                guard case .array(let names) = needed else { continue }
                for case .string(let other) in names where members[other] == nil {
                    problems.append(Problem(path: path, keyword: "dependentRequired", message: "\"\(other)\" is missing, and \"\(name)\" needs it"))
                }
            }
        }
        var properties: [String: JSON] = [:]
        if case .object(let declared)? = schema["properties"] { properties = declared }
        var patternSchemas: [(Regex<AnyRegexOutput>, JSON)] = []
        if case .object(let declared)? = schema["patternProperties"] {
            patternSchemas = declared.sorted(by: { $0.key < $1.key }).compactMap { key, member in patterns[key].map { ($0, member) } }
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = Self.path(path, key: name)
            var evaluated = false
            if let declared = properties[name] {
                evaluated = true
                check(member, declared, in: document, at: memberPath, into: &problems)
            }
            for (regex, patternSchema) in patternSchemas where name.contains(regex) {
                evaluated = true
                check(member, patternSchema, in: document, at: memberPath, into: &problems)
            }
            if !evaluated, let additional = schema["additionalProperties"] {
                if additional == .bool(false) {
                    problems.append(Problem(path: memberPath, keyword: "additionalProperties", message: "\"\(name)\" is not an allowed property"))
                } else {
                    check(member, additional, in: document, at: memberPath, into: &problems)
                }
            }
        }
    }

    private func checkCombinations(_ value: JSON, _ schema: JSON, in document: String, at path: String, into problems: inout [Problem]) {
        /// Each alternative's problems.
        func outcomes(_ keyword: String) -> [[Problem]]? {
            guard case .array(let alternatives)? = schema[keyword] else { return nil }
            return alternatives.map { alternative in
                var found: [Problem] = []
                check(value, alternative, in: document, at: path, into: &found)
                return found
            }
        }
        /// Why each alternative failed, briefly.
        func reasons(_ results: [[Problem]]) -> String {
            results.enumerated().map { index, found in "#\(index): " + found.prefix(3).map(\.description).joined(separator: "; ") }
                .joined(separator: " | ")
        }
        if let results = outcomes("allOf") {
            problems += results.flatMap { $0 }
        }
        if let results = outcomes("anyOf"), !results.contains(where: \.isEmpty) {
            problems.append(Problem(path: path, keyword: "anyOf", message: "matches none of the \(results.count) alternatives (\(reasons(results)))"))
        }
        if let results = outcomes("oneOf") {
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                problems.append(Problem(path: path, keyword: "oneOf", message: "matches none of the \(results.count) alternatives (\(reasons(results)))"))
            } else if matching.count > 1 {
                problems.append(Problem(path: path, keyword: "oneOf", message: "matches alternatives \(matching.map { "#\($0)" }.joined(separator: " and ")); exactly one must match"))
            }
        }
        if let negated = schema["not"] {
            var found: [Problem] = []
            check(value, negated, in: document, at: path, into: &found)
            if found.isEmpty { problems.append(Problem(path: path, keyword: "not", message: "matches the schema it must not match")) }
        }
    }

    // MARK: Helpers

    private static func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("string", .string), ("number", .number): true
        case ("integer", .number(let number)): number == number.rounded()
        default: false
        }
    }

    private static func typeName(of value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let number): number == number.rounded() ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// `$.name` for a plain name, `$["odd name"]` otherwise.
    static func path(_ parent: String, key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-") }
        return plain ? "\(parent).\(key)" : "\(parent)[\"\(key.replacingOccurrences(of: "\"", with: "\\\""))\"]"
    }

    /// A number as JSON writes it: `3`, not `3.0`.
    private static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// A value in a few characters, for messages.
    static func brief(_ value: JSON) -> String {
        let full: String
        switch value {
        case .null: full = "null"
        case .bool(let flag): full = flag ? "true" : "false"
        case .number(let number): full = text(number)
        case .string(let string): full = "\"\(string)\""
        case .array(let elements): full = "[" + elements.map(brief).joined(separator: ",") + "]"
        case .object(let members): full = "{" + members.keys.sorted().map { "\"\($0)\":…" }.joined(separator: ",") + "}"
        }
        return full.count > 60 ? full.prefix(57) + "…" : full
    }
}
