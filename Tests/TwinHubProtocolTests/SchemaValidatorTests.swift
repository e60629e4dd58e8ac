import SchemaSupport
import Foundation
import Testing
import TwinModel

/// The validator itself, on small schemas: it accepts what is valid and refuses each kind of violation, with its
/// keyword and path, so that the payload tests cannot pass because it checks nothing.
@Suite("Schema validator")
struct SchemaValidatorTests {
    /// A validator of one schema given as JSON text (its `$id` is added), and others beside it.
    func validator(_ schema: String, others: [String] = []) throws -> SchemaValidator {
        let documents = try ([schema] + others).enumerated().map { index, text in
            guard case .object(var members) = try JSONReader.read(Array(text.utf8)) else { throw SchemaValidator.SchemaError(description: "not an object") }
            if members["$id"] == nil { members["$id"] = .string("https://example.test/s/\(index).json") }
            return JSON.object(members)
        }
        return try SchemaValidator(schemas: documents)
    }

    /// The problems of `instance` (JSON text) against the first schema of `validator`.
    func problems(_ instance: String, _ validator: SchemaValidator) -> [SchemaValidator.Problem] {
        validator.validate(Array(instance.utf8), against: "https://example.test/s/0.json")
    }

    /// `path: keyword` of each problem, to compare briefly.
    func summary(_ instance: String, _ validator: SchemaValidator) -> [String] {
        problems(instance, validator).map { "\($0.path): \($0.keyword)" }.sorted()
    }

    @Test("Types, null and integer included, alone or in a list")
    func types() throws {
        let schema = try validator(#"{"type":"object","properties":{"n":{"type":"integer"},"x":{"type":"number"},"s":{"type":"string"},"b":{"type":"boolean"},"a":{"type":"array"},"o":{"type":"object"},"z":{"type":"null"},"m":{"type":["string","null"]}}}"#)
        #expect(summary(#"{"n":3,"x":2.5,"s":"t","b":false,"a":[],"o":{},"z":null,"m":null}"#, schema) == [])
        #expect(summary(#"{"n":3.0,"m":"text"}"#, schema) == [], "3.0 is an integer, as the spec says")
        #expect(summary(#"{"n":3.5,"x":"2","s":1,"b":0,"a":{},"o":[],"z":false,"m":1}"#, schema)
                == ["$.a: type", "$.b: type", "$.m: type", "$.n: type", "$.o: type", "$.s: type", "$.x: type", "$.z: type"])
        #expect(summary("[1]", schema) == ["$: type"])
        #expect(problems(#"{"n":"3"}"#, schema).first?.message == #""3" is a string, not integer"#)
    }

    @Test("required, properties, additionalProperties false or a schema, patternProperties, dependentRequired")
    func objects() throws {
        let closed = try validator(#"{"type":"object","required":["a","b"],"properties":{"a":{"type":"string"},"b":{}},"additionalProperties":false,"dependentRequired":{"c":["a"]}}"#)
        #expect(summary(#"{"a":"x","b":1}"#, closed) == [])
        #expect(summary(#"{"b":1}"#, closed) == ["$: required"])
        #expect(problems(#"{"b":1}"#, closed).first?.message == #""a" is missing"#)
        #expect(summary(#"{"a":"x","b":1,"extra":true}"#, closed) == ["$.extra: additionalProperties"])
        #expect(summary(#"{"a":1,"b":1}"#, closed) == ["$.a: type"])

        let open = try validator(#"{"patternProperties":{"^x_":{"type":"integer"}},"additionalProperties":{"type":"string"},"dependentRequired":{"c":["a","b"]}}"#)
        #expect(summary(#"{"x_1":1,"other":"text"}"#, open) == [])
        #expect(summary(#"{"x_1":"1","other":2}"#, open) == [#"$.other: type"#, #"$.x_1: type"#])
        #expect(summary(#"{"c":"1","a":"2"}"#, open) == ["$: dependentRequired"])
        #expect(summary(#"{"a":"2"}"#, open) == [], "dependentRequired asks nothing without its key")
        #expect(summary(#"{"odd key":1}"#, open) == [#"$["odd key"]: type"#], "a key that is not a plain name is quoted in the path")
    }

    @Test("enum and const compare whole JSON values, numbers by value")
    func enumAndConst() throws {
        let schema = try validator(#"{"properties":{"e":{"enum":["a",1,null,{"k":[true]}]},"c":{"const":2}}}"#)
        #expect(summary(#"{"e":"a","c":2.0}"#, schema) == [])
        #expect(summary(#"{"e":{"k":[true]}}"#, schema) == [])
        #expect(summary(#"{"e":null}"#, schema) == [])
        #expect(summary(#"{"e":"b","c":3}"#, schema) == ["$.c: const", "$.e: enum"])
        #expect(summary(#"{"e":{"k":[false]},"c":"2"}"#, schema) == ["$.c: const", "$.e: enum"])
    }

    @Test("Numbers: minimum, maximum, exclusiveMinimum, exclusiveMaximum at and beyond their bounds")
    func numbers() throws {
        let schema = try validator(#"{"properties":{"closed":{"minimum":0,"maximum":1},"open":{"exclusiveMinimum":0,"exclusiveMaximum":1}}}"#)
        #expect(summary(#"{"closed":0,"open":0.5}"#, schema) == [])
        #expect(summary(#"{"closed":1,"open":0.999}"#, schema) == [])
        #expect(summary(#"{"closed":-0.1,"open":0}"#, schema) == ["$.closed: minimum", "$.open: exclusiveMinimum"])
        #expect(summary(#"{"closed":1.5,"open":1}"#, schema) == ["$.closed: maximum", "$.open: exclusiveMaximum"])
        #expect(summary(#"{"closed":"5"}"#, schema) == [], "number keywords ignore other types")
    }

    @Test("Strings: minLength and maxLength in code points, pattern found anywhere unless anchored")
    func strings() throws {
        let schema = try validator(#"{"properties":{"l":{"minLength":2,"maxLength":3},"p":{"pattern":"\\d{2}"},"a":{"pattern":"^\\d{4}-\\d{2}$"}}}"#)
        #expect(summary(#"{"l":"ab","p":"x12y","a":"2026-03"}"#, schema) == [])
        #expect(summary(#"{"l":"°C°"}"#, schema) == [], "three code points")
        #expect(summary(#"{"l":"a","p":"x1y","a":"x2026-03"}"#, schema) == ["$.a: pattern", "$.l: minLength", "$.p: pattern"])
        #expect(summary(#"{"l":"abcd"}"#, schema) == ["$.l: maxLength"])
        #expect(summary(#"{"a":"٢٠٢٦-٠٣"}"#, schema) == ["$.a: pattern"], "\\d is ASCII, as in ECMA-262")
    }

    @Test("Arrays: items, minItems, maxItems, with each element's index in the path")
    func arrays() throws {
        let schema = try validator(#"{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3}"#)
        #expect(summary("[1,2,3]", schema) == [])
        #expect(summary("[]", schema) == ["$: minItems"])
        #expect(summary("[1,2,3,4]", schema) == ["$: maxItems"])
        #expect(summary(#"[1,"2",3.5]"#, schema) == ["$[1]: type", "$[2]: type"])
    }

    @Test("$ref to $defs, to another schema by relative $id, and to a $defs of it; siblings of $ref apply too")
    func references() throws {
        let other = #"{"$id":"https://example.test/s/other.json","type":"object","required":["v"],"$defs":{"positive":{"type":"number","exclusiveMinimum":0}}}"#
        let schema = try validator(#"""
            {"properties":{"local":{"$ref":"#/$defs/name"},"whole":{"$ref":"other.json"},"part":{"$ref":"other.json#/$defs/positive","maximum":10}},
             "$defs":{"name":{"type":"string","minLength":1}}}
            """#, others: [other])
        #expect(summary(#"{"local":"n","whole":{"v":1},"part":5}"#, schema) == [])
        #expect(summary(#"{"local":"","whole":{},"part":0}"#, schema) == ["$.local: minLength", "$.part: exclusiveMinimum", "$.whole: required"])
        #expect(summary(#"{"part":11}"#, schema) == ["$.part: maximum"])
    }

    @Test("Boolean schemas: true allows anything, false nothing (a property forbidden)")
    func booleanSchemas() throws {
        let schema = try validator(#"{"properties":{"any":true,"never":false}}"#)
        #expect(summary(#"{"any":[1,{"x":null}]}"#, schema) == [])
        #expect(summary(#"{"never":null}"#, schema) == ["$.never: false"])
    }

    @Test("oneOf needs exactly one match, anyOf at least one, allOf all, not none")
    func combinations() throws {
        let one = try validator(#"{"oneOf":[{"type":"integer"},{"minimum":5}]}"#)
        #expect(summary("2", one) == [])
        #expect(summary("5.5", one) == [])
        #expect(summary("7", one) == ["$: oneOf"], "both match")
        #expect(problems("7", one).first?.message.contains("#0 and #1") == true)
        #expect(summary("2.5", one) == ["$: oneOf"], "none matches")
        #expect(problems("2.5", one).first?.message.contains("minimum") == true, "the message says why each failed")

        let any = try validator(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#)
        #expect(summary(#""s""#, any) == [] && summary("1", any) == [])
        #expect(summary("1.5", any) == ["$: anyOf"])

        let all = try validator(#"{"allOf":[{"minimum":1},{"maximum":2}],"not":{"const":1.5}}"#)
        #expect(summary("2", all) == [])
        #expect(summary("3", all) == ["$: maximum"])
        #expect(summary("1.5", all) == ["$: not"])
    }

    @Test("Problems deep in a document carry their whole path; a payload that is not JSON is one problem")
    func paths() throws {
        let schema = try validator(#"{"properties":{"a":{"properties":{"b":{"items":{"properties":{"c":{"type":"string"}}}}}}}}"#)
        #expect(summary(#"{"a":{"b":[{"c":"x"},{"c":1}]}}"#, schema) == ["$.a.b[1].c: type"])
        #expect(summary("{not json", schema) == ["$: json"])
        #expect(summary(#"{"a":1,"a":2}"#, schema) == ["$: json"], "duplicate keys are not JSON to TwinHub's reader")
        #expect(schema.validate(Array("{}".utf8), against: "nothing.json").map(\.keyword) == ["$id"])
    }

    @Test("Schemas it cannot fully check are refused when loaded, never half-checked", arguments: [
        #"{"if":{"type":"string"},"then":{"minLength":1}}"#,
        #"{"properties":{"a":{"format":"date-time"}}}"#,
        ##"{"properties":{"a":{"$ref":"#/$defs/missing"}}}"##,
        #"{"items":{"$ref":"elsewhere.json"}}"#,
        #"{"pattern":"(unclosed"}"#,
        #"{"patternProperties":{"[":{}}}"#,
        #"{"type":"text"}"#,
        #"{"required":"a"}"#,
        #"{"minLength":-1}"#,
        #"{"oneOf":[]}"#,
        #"{"properties":{"a":{"$id":"https://example.test/nested"}}}"#,
        #"{"properties":{"a":3}}"#,
    ])
    func refusedSchemas(schema: String) {
        #expect(throws: SchemaValidator.SchemaError.self) { try validator(schema) }
    }

    @Test("A schema needs an absolute $id, once")
    func identifiers() throws {
        #expect(throws: SchemaValidator.SchemaError.self) { try SchemaValidator(schemas: [.object([:])]) }
        #expect(throws: SchemaValidator.SchemaError.self) { try SchemaValidator(schemas: [.object(["$id": .string("relative.json")])]) }
        let twice = JSON.object(["$id": .string("https://example.test/a.json")])
        #expect(throws: SchemaValidator.SchemaError.self) { try SchemaValidator(schemas: [twice, twice]) }
    }
}
