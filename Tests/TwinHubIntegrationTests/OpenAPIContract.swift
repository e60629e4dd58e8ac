import Foundation
import SchemaSupport
import Testing
import TwinModel
import Yams

/// `openapi/twinhub-web.yaml`, read to check real answers against it: each operation's response schema (for its
/// status and media type) with its references made absolute, validated by ``SchemaValidator`` together with
/// `schemas/` and `openapi/web-api.schema.json`. Remembers which operations were checked, for a coverage test.
final class OpenAPIContract: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let base = "https://twinhub.dev/openapi/twinhub-web.yaml"

    let spec: JSON
    private let validator: SchemaValidator
    /// Wrapper schema ids by "METHOD path status media".
    private let responses: [String: String]
    private let lock = NSLock()
    private var checked: Set<String> = []

    init() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("openapi/twinhub-web.yaml"), encoding: .utf8)
        let yaml = try #require(try Yams.load(yaml: text))
        spec = try JSONReader.read(Array(try JSONSerialization.data(withJSONObject: yaml)))
        var documents: [JSON] = []
        for folder in ["schemas", "openapi"] {
            let directory = Self.root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".schema.json") {
                documents.append(try JSONReader.read(Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
            }
        }
        var responses: [String: String] = [:]
        guard case .object(let paths)? = spec["paths"] else { throw SchemaValidator.SchemaError(description: "no paths") }
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for (method, operation) in operations where ["get", "post", "put", "delete"].contains(method) {
                guard case .object(let answers)? = operation["responses"] else { continue }
                for (status, answer) in answers {
                    let resolved = try Self.resolveLocal(answer, in: spec)
                    guard case .object(let contents)? = resolved["content"] else { continue }
                    for (media, content) in contents {
                        guard let schema = content["schema"] else { continue }
                        let id = "https://twinhub.dev/test/\(responses.count)"
                        guard case .object(var members) = Self.absolute(schema) else { continue }
                        members["$id"] = .string(id)
                        documents.append(.object(members))
                        responses["\(method.uppercased()) \(path) \(status) \(media)"] = id
                    }
                }
            }
        }
        documents.append(.object(["$id": .string(Self.streamMessage),
                                  "$ref": .string("https://twinhub.dev/openapi/web-api.schema.json#/$defs/streamMessage")]))
        validator = try SchemaValidator(schemas: documents)
        self.responses = responses
    }

    /// The schema of the stream's messages.
    static let streamMessage = "https://twinhub.dev/test/stream-message"

    /// Checks a message of the stream against `web-api.schema.json#/$defs/streamMessage`.
    func checkStreamMessage(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let problems = validator.validate(Array(text.utf8), against: Self.streamMessage)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "; "))\n\(text)", sourceLocation: sourceLocation)
    }

    /// Every operation of the spec, as "METHOD path".
    var operations: Set<String> {
        guard case .object(let paths)? = spec["paths"] else { return [] }
        return Set(paths.flatMap { path, item -> [String] in
            guard case .object(let operations) = item else { return [] }
            return operations.keys.filter { ["get", "post", "put", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
    }

    /// Operations checked so far.
    var checkedOperations: Set<String> { lock.withLock { checked } }

    /// Checks an answer of `operation` ("GET /twins/{site}/{area}/{line}/{machine}") against the spec: its status is
    /// one the operation declares, its media type one it declares for that status, and its body valid.
    func check(_ answer: HTTPAnswer, _ operation: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        lock.withLock { _ = checked.insert(operation) }
        let media = answer.contentType.split(separator: ";").first.map(String.init) ?? ""
        guard let id = responses["\(operation) \(answer.status) \(media)"] else {
            Issue.record("\(operation) answered \(answer.status) \(media), which the spec does not declare: \(answer.text)", sourceLocation: sourceLocation)
            return
        }
        // Only JSON answers have a body schema to check; the others, their status and media type.
        guard media.hasSuffix("json") else { return }
        let problems = validator.validate(answer.body, against: id)
        #expect(problems.isEmpty, "\(operation) \(answer.status): \(problems.map(\.description).joined(separator: "; "))\n\(answer.text)",
                sourceLocation: sourceLocation)
    }

    /// `value`, or what its local `$ref` (`#/components/…`) points to.
    private static func resolveLocal(_ value: JSON, in spec: JSON) throws -> JSON {
        guard case .string(let reference)? = value["$ref"], reference.hasPrefix("#/") else { return value }
        var node = spec
        for token in reference.dropFirst(2).split(separator: "/") {
            guard let next = node[String(token)] else { throw SchemaValidator.SchemaError(description: "\(reference) leads nowhere") }
            node = next
        }
        return node
    }

    /// `schema` with every `$ref` made absolute, from the spec's location.
    private static func absolute(_ schema: JSON) -> JSON {
        switch schema {
        case .object(let members):
            var copy: [String: JSON] = [:]
            for (key, value) in members {
                if key == "$ref", case .string(let reference) = value {
                    copy[key] = .string(URL(string: reference, relativeTo: URL(string: base))!.absoluteString)
                } else {
                    copy[key] = absolute(value)
                }
            }
            return .object(copy)
        case .array(let elements):
            return .array(elements.map(absolute))
        default:
            return schema
        }
    }
}

/// An HTTP answer as the tests read it.
struct HTTPAnswer: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body)) }
}
