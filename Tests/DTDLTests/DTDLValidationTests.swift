import DTDL
import Testing

/// One broken model per rule: each gives an error with its JSON path and position.
@Suite struct DTDLValidationTests {
    /// The only error of `json`, which must have exactly one.
    private func onlyError(_ json: String, file: String = "test.json") throws -> DTDLDiagnostic {
        let errors = Fixtures.errors(Fixtures.model(json, file: file))
        #expect(errors.count == 1, "\(errors)")
        return try #require(errors.first)
    }

    @Test func missingContextIsAnError() throws {
        let error = try onlyError(#"{ "@id": "dtmi:a:B;1", "@type": "Interface" }"#)
        #expect(error.message.hasPrefix("an Interface needs '@context'"))
        #expect(error.location.path == "/")
    }

    @Test func unsupportedDTDLVersionIsNamed() throws {
        let error = try onlyError(#"{ "@context": "dtmi:dtdl:context;4", "@id": "dtmi:a:B;1", "@type": "Interface" }"#)
        #expect(error.message.contains("'dtmi:dtdl:context;4' is not supported"))
        #expect(error.location.path == "/@context")
    }

    @Test func interfaceDTMINeedsAVersion() throws {
        let error = try onlyError(Fixtures.interface("", id: "dtmi:com:example:Test"))
        #expect(error.message == "'dtmi:com:example:Test' is not a valid DTMI: an Interface's DTMI needs a version (';1')")
        #expect(error.location.path == "/@id")
        #expect(error.location.line == 3 && error.location.column == 10)
    }

    @Test func badNamesSayWhich() throws {
        let error = try onlyError(Fixtures.interface(#"{ "@type": "Telemetry", "name": "spindle-speed", "schema": "double" }"#))
        #expect(error.message == "the name 'spindle-speed' may hold only letters, digits and '_'")
        #expect(error.location.path == "/contents/0/name")
    }

    @Test func duplicateNamesInContents() throws {
        let error = try onlyError(Fixtures.interface("""
            { "@type": "Telemetry", "name": "speed", "schema": "double" },
            { "@type": "Property", "name": "speed", "schema": "double" }
            """))
        #expect(error.message.hasPrefix("the name 'speed' is used twice in contents"))
        #expect(error.location.path == "/contents/1/name")
    }

    @Test func anIDNamesOneElement() throws {
        let error = try onlyError(Fixtures.interface("""
            { "@type": "Telemetry", "@id": "dtmi:com:example:Test:speed;1", "name": "speed", "schema": "double" },
            { "@type": "Property", "@id": "dtmi:com:example:Test:speed;1", "name": "feed", "schema": "double" }
            """))
        #expect(error.message.hasPrefix("the @id 'dtmi:com:example:Test:speed;1' is already given at "), "\(error.message)")
        #expect(error.message.hasSuffix("(/contents/0/@id); an @id names one element"), "\(error.message)")
        #expect(error.location.path == "/contents/1/@id")
    }

    @Test func aDocumentIsAtMostOneMebibyte() throws {
        let padding = String(repeating: " ", count: DTDLParser.maximumDocumentSize)
        let error = try onlyError(Fixtures.interface("") + padding)
        #expect(error.message == "the document is \(Fixtures.interface("").utf8.count + padding.utf8.count) bytes; a DTDL document is at most 1 MiB (1048576 bytes)")
        #expect(error.location.line == 1 && error.location.column == 1)
    }

    @Test func duplicateNamesThroughExtends() throws {
        let json = """
            [\(Fixtures.interface(#"{ "@type": "Telemetry", "name": "speed", "schema": "double" }"#, id: "dtmi:com:example:Base;1")),
             \(Fixtures.interface(#"{ "@type": "Telemetry", "name": "speed", "schema": "double" }"#, id: "dtmi:com:example:Mill;1",
                                  extra: #" "extends": "dtmi:com:example:Base;1","#))]
            """
        let error = try onlyError(json)
        #expect(error.message.hasPrefix("the name 'speed' is already used by a content inherited through extends"))
        #expect(error.location.path == "/1/contents/0")
    }

    @Test func extendsMustBeRead() throws {
        let error = try onlyError(Fixtures.interface("", extra: #" "extends": "dtmi:com:example:Missing;1","#))
        #expect(error.message == "extends 'dtmi:com:example:Missing;1', which is not among the models read (give its file too)")
        #expect(error.location.path == "/extends")
    }

    @Test func extendsCycleIsAnError() {
        let json = """
            [\(Fixtures.interface("", id: "dtmi:com:example:A;1", extra: #" "extends": "dtmi:com:example:B;1","#)),
             \(Fixtures.interface("", id: "dtmi:com:example:B;1", extra: #" "extends": "dtmi:com:example:A;1","#))]
            """
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.message.hasPrefix("extends forms a cycle") })
    }

    @Test func extendsDepthIsLimitedToTen() {
        func chain(_ levels: Int) -> String {
            var interfaces = [Fixtures.interface("", id: "dtmi:com:example:L0;1")]
            for level in 1...levels {
                interfaces.append(Fixtures.interface("", id: "dtmi:com:example:L\(level);1", extra: #" "extends": "dtmi:com:example:L\#(level - 1);1","#))
            }
            return "[" + interfaces.joined(separator: ",") + "]"
        }
        #expect(Fixtures.errors(Fixtures.model(chain(10))).isEmpty)
        let errors = Fixtures.errors(Fixtures.model(chain(11)))
        #expect(errors.map(\.message) == ["extends is 11 levels deep; DTDL allows 10"])
        #expect(errors.first?.location.path == "/11/extends")
    }

    @Test func v2ContentsAreLimitedTo300() {
        let contents = (0...300).map { #"{ "@type": "Telemetry", "name": "t\#($0)", "schema": "double" }"# }.joined(separator: ",")
        let json = #"{ "@context": "dtmi:dtdl:context;2", "@id": "dtmi:a:B;1", "@type": "Interface", "contents": [\#(contents)] }"#
        #expect(Fixtures.errors(Fixtures.model(json)).map(\.message) == ["a DTDL v2 Interface has at most 300 contents; this one has 301"])
    }

    @Test func enumValueSchemaMustBeIntegerOrString() throws {
        let error = try onlyError(Fixtures.interface(#"""
            { "@type": "Property", "name": "mode", "schema": { "@type": "Enum", "valueSchema": "double", "enumValues": [] } }
            """#))
        #expect(error.message == "an Enum's valueSchema must be \"integer\" or \"string\"")
        #expect(error.location.path == "/contents/0/schema/valueSchema")
    }

    @Test func enumValuesMatchTheirSchemaAndAreUnique() {
        let json = Fixtures.interface(#"""
            { "@type": "Property", "name": "mode", "schema": { "@type": "Enum", "valueSchema": "integer", "enumValues": [
              { "name": "auto", "enumValue": 1 }, { "name": "manual", "enumValue": "two" }, { "name": "auto", "enumValue": 3 },
              { "name": "jog", "enumValue": 1 } ] } }
            """#)
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.map(\.message) == [
            "the enumValue must be a 4-byte integer, as the Enum's valueSchema says",
            "the EnumValue name 'auto' is used twice",
            "the enumValue 1 is used twice",
        ])
        #expect(errors.map(\.location.path) == ["/contents/0/schema/enumValues/1/enumValue", "/contents/0/schema/enumValues/2/name",
                                                "/contents/0/schema/enumValues/3/enumValue"])
    }

    @Test func objectFieldsNeedNamesAndSchemas() {
        let json = Fixtures.interface(#"""
            { "@type": "Telemetry", "name": "axes", "schema": { "@type": "Object", "fields": [
              { "name": "x", "schema": "double" }, { "name": "x", "schema": "double" }, { "name": "z" } ] } }
            """#)
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.map(\.message) == ["the field name 'x' is used twice in the Object", "a Field needs 'schema'"])
    }

    @Test func mapKeysAreStringsAndArraysNeedElements() {
        let json = Fixtures.interface(#"""
            { "@type": "Property", "name": "modules", "schema": { "@type": "Map", "mapKey": { "name": "module", "schema": "integer" },
              "mapValue": { "name": "state", "schema": "string" } } },
            { "@type": "Telemetry", "name": "samples", "schema": { "@type": "Array" } }
            """#)
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.map(\.message) == ["a MapKey's schema must be \"string\"", "an Array needs 'elementSchema'"])
        #expect(errors.map(\.location.path) == ["/contents/0/schema/mapKey/schema", "/contents/1/schema"])
    }

    @Test func complexSchemasNestAtMostFiveLevels() {
        var schema = "\"double\""
        for _ in 0..<6 { schema = #"{ "@type": "Array", "elementSchema": \#(schema) }"# }
        let json = Fixtures.interface(#"{ "@type": "Telemetry", "name": "deep", "schema": \#(schema) }"#)
        #expect(Fixtures.errors(Fixtures.model(json)).map(\.message) == ["complex schemas nest at most 5 levels deep"])
    }

    @Test func commandRequestNeedsASchema() throws {
        let error = try onlyError(Fixtures.interface(#"{ "@type": "Command", "name": "setSpeed", "request": { "name": "factor" } }"#))
        #expect(error.message == "a CommandRequest needs 'schema'")
        #expect(error.location.path == "/contents/0/request")
    }

    @Test func unknownPropertiesAreNamed() throws {
        let error = try onlyError(Fixtures.interface(#"{ "@type": "Telemetry", "name": "speed", "schema": "double", "minimum": 0 }"#))
        #expect(error.message.hasPrefix("a Telemetry has no property 'minimum'"))
        #expect(error.location.path == "/contents/0/minimum")
    }

    @Test func semanticTypesNeedTheExtensionInV3() throws {
        let json = #"""
            { "@context": "dtmi:dtdl:context;3", "@id": "dtmi:a:B;1", "@type": "Interface",
              "contents": [ { "@type": ["Telemetry", "Temperature"], "name": "t", "schema": "double", "unit": "degreeCelsius" } ] }
            """#
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.first?.message == "the semantic type 'Temperature' needs the QuantitativeTypes extension in @context (\"dtmi:dtdl:extension:quantitativeTypes;1\")")
    }

    @Test func unitsBelongToTheirSemanticType() throws {
        let error = try onlyError(Fixtures.interface(#"{ "@type": ["Telemetry", "Temperature"], "name": "t", "schema": "double", "unit": "bar" }"#))
        #expect(error.message.hasPrefix("'bar' is not a unit of Temperature"))
        #expect(error.location.path == "/contents/0/unit")
    }

    @Test func unsupportedExtensionsAreWarnings() {
        let json = #"""
            { "@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:historization;1"], "@id": "dtmi:a:B;1", "@type": "Interface",
              "contents": [ { "@type": ["Telemetry", "Historized"], "name": "t", "schema": "double" } ] }
            """#
        let model = Fixtures.model(json)
        #expect(Fixtures.errors(model).isEmpty)
        #expect(model.diagnostics.map(\.message) == [
            "the context 'dtmi:dtdl:extension:historization;1' is not supported: its types and properties are errors where used",
            "the co-type 'Historized' (of an extension TwinHub does not support) is ignored",
        ])
    }

    @Test func componentsMustBeReadAndNotNested() {
        let json = """
            [\(Fixtures.interface(#"{ "@type": "Component", "name": "inner", "schema": "dtmi:com:example:Leaf;1" }"#, id: "dtmi:com:example:Middle;1")),
             \(Fixtures.interface(#"{ "@type": "Telemetry", "name": "t", "schema": "double" }"#, id: "dtmi:com:example:Leaf;1")),
             \(Fixtures.interface(#"{ "@type": "Component", "name": "part", "schema": "dtmi:com:example:Middle;1" }, { "@type": "Component", "name": "gone", "schema": "dtmi:com:example:Gone;1" }"#))]
            """
        let errors = Fixtures.errors(Fixtures.model(json))
        #expect(errors.map(\.message) == [
            "the Component 'part' is an instance of 'dtmi:com:example:Middle;1', which has a Component ('inner'); DTDL forbids nesting them",
            "the Component 'gone' is an instance of 'dtmi:com:example:Gone;1', which is not among the models read (give its file too)",
        ])
    }

    @Test func diagnosticsPrintFileLineColumnAndPath() throws {
        let error = try onlyError(Fixtures.interface(#"{ "@type": "Telemetry", "name": "_t", "schema": "double" }"#), file: "models/mill.json")
        #expect(error.description == "models/mill.json:5:48: /contents/0/name: the name '_t' must start with a letter")
    }
}

@Suite struct DTDLHostileModelTests {
    /// 30 levels of diamonds (each Interface extends both of the level below) are 2^30 paths: walked once per
    /// Interface, the depth error comes at once.
    @Test func diamondsAreWalkedOnce() {
        var interfaces = [Fixtures.interface("", id: "dtmi:com:example:A0;1"), Fixtures.interface("", id: "dtmi:com:example:B0;1")]
        for level in 1...30 {
            let extends = #" "extends": ["dtmi:com:example:A\#(level - 1);1", "dtmi:com:example:B\#(level - 1);1"],"#
            interfaces.append(Fixtures.interface("", id: "dtmi:com:example:A\(level);1", extra: extends))
            interfaces.append(Fixtures.interface("", id: "dtmi:com:example:B\(level);1", extra: extends))
        }
        let errors = Fixtures.errors(Fixtures.model("[" + interfaces.joined(separator: ",") + "]"))
        #expect(errors.count == 40, "levels 11 to 30, two Interfaces each")
        #expect(errors.allSatisfy { $0.message.hasPrefix("extends is ") && $0.message.hasSuffix(" levels deep; DTDL allows 10") })
    }

    @Test(arguments: ["", "[", "{", "[1, 2]", "\"text\"", "{\"@context\": 3}", String(repeating: "[", count: 500), "{\"a\": 1e999}", "{\"a\": \"\\ud800\"}",
                      "{\"@context\": \"dtmi:dtdl:context;3\", \"@id\": \"dtmi:a:B;1\", \"@type\": \"Interface\", \"contents\": [{}, 3, {\"@type\": []}]}"])
    func garbageIsAnErrorNotACrash(_ text: String) {
        #expect(!Fixtures.errors(Fixtures.model(text)).isEmpty)
    }
}
