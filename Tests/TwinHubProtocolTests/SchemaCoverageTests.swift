import SchemaSupport
import Foundation
import Testing
import TestSupport
import TwinModel

/// `schemas/` against the message types: one schema each, described for integrators, and every one exercised by
/// what the real code produces.
@Suite("Every message type has a schema, and every schema is exercised")
struct SchemaCoverageTests {
    @Test("schemas/ holds exactly one schema per message type, each a draft 2020-12 schema with its $id, title and description")
    func folder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.schemas.path).filter { $0.hasSuffix(".json") }
        let known = Set(MessageSchema.allCases.map(\.file))
        #expect(Set(files).subtracting(known).isEmpty, "schemas no test exercises: add them to MessageSchema and to PlantRun")
        #expect(known.subtracting(files).isEmpty, "message types without a schema")
        let validator = try Repository.validator()
        for schema in MessageSchema.allCases {
            let document = try #require(validator.documents[schema.id], "\(schema.file) has the $id \(schema.id)")
            #expect(validator.files[schema.file] == schema.id)
            #expect(document["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(schema.file)")
            for key in ["title", "description"] {
                guard case .string(let text)? = document[key] else {
                    Issue.record("\(schema.file) has no \(key)")
                    continue
                }
                #expect(!text.isEmpty, "\(schema.file): \(key)")
            }
            #expect(document["type"] == .string("object"), "\(schema.file): every message is a JSON object")
        }
    }

    @Test("Every field of every message is described, where it is declared or where its $ref leads")
    func descriptions() throws {
        let validator = try Repository.validator()
        var undescribed: [String] = []
        func visit(_ schema: JSON, at location: String, document: String) {
            guard case .object(let keywords) = schema else { return }
            for (keyword, value) in keywords {
                switch (keyword, value) {
                case ("properties", .object(let members)):
                    for (name, member) in members where !Self.isDescribed(member, in: validator, document: document) && member != .bool(false) {
                        undescribed.append("\(location)/properties/\(name)")
                    }
                    for (name, member) in members { visit(member, at: "\(location)/properties/\(name)", document: document) }
                case ("$defs", .object(let members)), ("patternProperties", .object(let members)):
                    for (name, member) in members { visit(member, at: "\(location)/\(keyword)/\(name)", document: document) }
                case ("oneOf", .array(let members)), ("anyOf", .array(let members)), ("allOf", .array(let members)):
                    // Alternatives narrow fields described where they are declared.
                    _ = members
                case (_, .object):
                    visit(value, at: "\(location)/\(keyword)", document: document)
                default:
                    break
                }
            }
        }
        for schema in MessageSchema.allCases { visit(validator.documents[schema.id] ?? .null, at: schema.file + "#", document: schema.id) }
        #expect(undescribed.sorted() == [], "fields without a description")
    }

    /// Whether `schema` has a description, or is a `$ref` to one that has.
    static func isDescribed(_ schema: JSON, in validator: SchemaValidator, document: String) -> Bool {
        if case .string? = schema["description"] { return true }
        guard case .string(let reference)? = schema["$ref"] else { return false }
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let id = parts[0].isEmpty ? document : "https://twinhub.dev/schemas/\(parts[0])"
        var target = validator.documents[id] ?? .null
        if parts.count > 1 {
            for name in parts[1].split(separator: "/") { target = target[String(name)] ?? .null }
        }
        return target["description"] != nil
    }

    @Test("In a plant run, every message type goes over the broker, produced by the code that produces it, and every one validates", .cpuBound,
          arguments: MessageSchema.allCases)
    func plantRun(schema: MessageSchema) throws {
        let run = PlantRun.shared
        let validator = try Repository.validator()
        let payloads = run.payloads(schema)
        #expect(!payloads.isEmpty, "no \(schema.rawValue) message in the plant run")
        for (index, payload) in payloads.enumerated() where schema != .telemetry || index % 20 == 0 {
            validator.expectValid(payload, schema, "message \(index)")
        }
    }

    @Test("Real payloads broken in any top-level member are refused: an unknown member, each required one missing, each one of the wrong type",
          arguments: MessageSchema.allCases)
    func brokenPayloadsAreRefused(schema: MessageSchema) throws {
        let validator = try Repository.validator()
        let payloads = PlantRun.shared.payloads(schema)
        let required = validator.documents[schema.id]?["required"].map { required -> [String] in
            guard case .array(let names) = required else { return [] }
            return names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        } ?? []
        // A few spread over the run: their optional members differ.
        for payload in stride(from: 0, to: payloads.count, by: max(1, payloads.count / 5)).map({ payloads[$0] }) {
            guard case .object(let members) = try JSONReader.read(payload) else {
                Issue.record("\(schema.file): not an object")
                continue
            }
            #expect(validator.validate(.object(members), against: schema.file).isEmpty)
            var extended = members
            extended["unexpected_member"] = .number(1)
            #expect(validator.validate(.object(extended), against: schema.file).map(\.keyword).contains("additionalProperties"), "\(schema.file)")
            for name in required {
                var missing = members
                missing[name] = nil
                #expect(!validator.validate(.object(missing), against: schema.file).isEmpty, "\(schema.file) without \(name)")
            }
            for name in members.keys {
                var wrong = members
                wrong[name] = .array([.null])
                #expect(!validator.validate(.object(wrong), against: schema.file).isEmpty, "\(schema.file) with [null] as \(name)")
            }
        }
    }

    @Test("In the plant run, each topic read back with the topic map names the schema of what it carries; the console reads all; machines take every command")
    func plantRunTopics() {
        let run = PlantRun.shared
        for message in run.messages {
            #expect(MessageSchema(topic: message.topic, in: run.topics) == message.schema, "\(message.topic)")
        }
        #expect(run.consoleRefusals == [])
        #expect(run.commandRejections == [])
    }
}
