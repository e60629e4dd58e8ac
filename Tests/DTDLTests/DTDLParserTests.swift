import DTDL
import Testing

@Suite struct DTDLParserTests {
    @Test func readsAnInterfaceWithItsContents() throws {
        let model = try DTDLModel.read(paths: [Fixtures.examples + "/cnc-mill.json"])
        #expect(Fixtures.errors(model).isEmpty, "\(model.diagnostics)")
        let mill = try #require(model.interface("dtmi:com:example:factory:CncMill;1"))
        #expect(mill.dtdlVersion == 3)
        #expect(mill.displayName == "CNC mill")
        #expect(mill.mqtt?.telemetryTopic == "factory/{modelId}/{senderId}/telemetry")
        #expect(mill.contents.count == 15)
        let speed = mill.contents[0]
        #expect(speed.name == "spindleSpeed")
        #expect(speed.semanticTypes == ["AngularVelocity"])
        #expect(speed.unit == "revolutionPerMinute")
        #expect(speed.schema == .primitive("double"))
        #expect(speed.location.path == "/contents/0")
        #expect(speed.location.line == 15 && speed.location.column == 5)
        guard case .command(let request, let response) = mill.contents[12].kind else {
            Issue.record("setSpeed is not a Command")
            return
        }
        #expect(request?.name == "factor" && request?.schema == .primitive("double"))
        #expect(response?.schema == .primitive("boolean"))
        guard case .relationship(let target) = mill.contents[14].kind else {
            Issue.record("feeds is not a Relationship")
            return
        }
        #expect(target == "dtmi:com:example:factory:Conveyor;1")
    }

    @Test func readsV2WithExtendsAndComponents() throws {
        let model = try DTDLModel.read(paths: [Fixtures.examples + "/packaging-line.json"])
        #expect(Fixtures.errors(model).isEmpty, "\(model.diagnostics)")
        #expect(model.interfaces.map(\.id) == ["dtmi:com:example:line:Machine;1", "dtmi:com:example:line:Motor;1", "dtmi:com:example:line:CartonSealer;1"])
        let sealer = try #require(model.interface("dtmi:com:example:line:CartonSealer;1"))
        #expect(model.contents(of: sealer).map(\.name) == ["state", "start", "hold", "sealTemperature", "cartonCount", "vibration", "drive"])
        #expect(model.machines.map(\.id) == ["dtmi:com:example:line:CartonSealer;1"])
    }

    @Test func malformedJSONSaysWhere() {
        let model = Fixtures.model("{\n  \"@id\": \"dtmi:a:b;1\",\n  \"@type\": Interface\n}")
        let error = Fixtures.errors(model).first
        #expect(error?.location.line == 3)
        #expect(error?.location.column == 12)
        #expect(error?.location.path == "/@type")
        #expect(error?.message.contains("malformed JSON") == true)
    }

    @Test func duplicateKeysAreErrors() {
        let model = Fixtures.model(Fixtures.interface(#"{ "@type": "Telemetry", "name": "a", "name": "b", "schema": "double" }"#))
        #expect(Fixtures.errors(model).first?.message == "malformed JSON: duplicate key \"name\"")
    }

    @Test func localizedStringsPickEnglish() throws {
        let model = Fixtures.model(Fixtures.interface("", extra: #" "displayName": { "de": "Fräse", "en": "Mill" },"#))
        #expect(model.interfaces.first?.displayName == "Mill")
    }

    @Test(arguments: [
        ("dtmi:com:example:Mill;1", nil),
        ("dtmi:com:example:Mill;1.2", nil),
        ("dtmi:_system:Mill;1", nil),
        ("dtmi:com:example:Mill", "an Interface's DTMI needs a version (';1')"),
        ("dtmi:com:example:Mill;0", "the major version '0' must be 1 to 999999999 without leading zeros"),
        ("dtmi:com:example:Mill;01", "the major version '01' must be 1 to 999999999 without leading zeros"),
        ("dtmi:com:example:Mill;1234567890", "the major version '1234567890' must be 1 to 999999999 without leading zeros"),
        ("dtmi:com:9example:Mill;1", "the DTMI segment '9example' must start with a letter"),
        ("dtmi:com:example_:Mill;1", "the DTMI segment 'example_' must not end with '_'"),
        ("dtmi:com:exa-mple:Mill;1", "the DTMI segment 'exa-mple' may hold only letters, digits and '_'"),
        ("dtmi:com::Mill;1", "a DTMI has an empty path segment"),
        ("urn:com:example:Mill;1", "a DTMI starts with 'dtmi:'"),
    ] as [(String, String?)])
    func dtmiSyntax(_ id: String, _ problem: String?) {
        #expect(DTMI.problem(with: id, version: 3, requireVersion: true) == problem)
    }

    @Test func v2VersionsHaveNoMinor() {
        #expect(DTMI.problem(with: "dtmi:com:example:Mill;1.2", version: 2, requireVersion: true) == "a DTDL v2 version is one number, not '1.2'")
    }

    @Test(arguments: [
        ("spindleSpeed", nil),
        ("a", nil),
        ("spindle_speed2", nil),
        ("_speed", "the name '_speed' must start with a letter"),
        ("2speed", "the name '2speed' must start with a letter"),
        ("speed_", "the name 'speed_' must not end with '_'"),
        ("spin-speed", "the name 'spin-speed' may hold only letters, digits and '_'"),
        ("drehzahlÜ", "the name 'drehzahlÜ' may hold only letters, digits and '_'"),
    ] as [(String, String?)])
    func nameRule(_ name: String, _ problem: String?) {
        #expect(DTDLName.problem(with: name, version: 3) == problem)
    }

    @Test func nameLengthLimitsDifferByVersion() {
        let name = String(repeating: "a", count: 65)
        #expect(DTDLName.problem(with: name, version: 3) == nil)
        #expect(DTDLName.problem(with: name, version: 2) == "the name is 65 characters long; DTDL v2 allows 64")
        #expect(DTDLName.problem(with: String(repeating: "a", count: 513), version: 3) == "the name is 513 characters long; DTDL v3 allows 512")
    }
}
