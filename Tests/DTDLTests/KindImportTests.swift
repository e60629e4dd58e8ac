import DTDL
import Foundation
import Testing
import TwinModel

@Suite struct KindImportTests {
    private func importExamples(_ file: String) throws -> (kinds: [ImportedKind], warnings: [DTDLDiagnostic]) {
        let model = try DTDLModel.read(paths: [Fixtures.examples + "/" + file])
        #expect(!model.hasErrors, "\(model.diagnostics)")
        return KindImporter.importKinds(model)
    }

    @Test func cncMillBecomesAKindThatLoads() throws {
        let (kinds, _) = try importExamples("cnc-mill.json")
        let imported = try #require(kinds.first)
        #expect(kinds.count == 1)
        #expect(imported.id == "cnc_mill" && imported.fileName == "cnc-mill.yaml")
        let kind = try KindLoader.load(yaml: imported.yaml, file: "cnc-mill.yaml")
        let units = kind.interface.properties.map { "\($0.name) \($0.unit) \($0.type.rawValue)" }
        #expect(units == ["spindleSpeed rpm number", "spindleTemperature °C number", "power kW number", "coolantFlow l/min number",
                          "hydraulicPressure bar number", "partCount count integer", "doorOpen  integer", "speedLimit rpm number"])
        #expect(kind.interface.states.initial == .idle)
        #expect(Set(kind.interface.states.transitions.keys) == [.idle, .running, .stopped, .fault])
        #expect(kind.interface.commands == [.start, .stop, .setSpeed])
        #expect(kind.interface.name == "CNC mill")
        let temperature = try #require(kind.profile.signal(of: "spindleTemperature"))
        #expect(temperature.target?.value(in: .running) == 60 && temperature.lag == .seconds(600))
        #expect(kind.profile.signal(of: "partCount")?.wear?.perHour == 60)
    }

    @Test func whatIsNotCarriedIsAWarningAndAComment() throws {
        let (kinds, _) = try importExamples("cnc-mill.json")
        let imported = try #require(kinds.first)
        let messages = imported.warnings.map(\.message)
        #expect(messages.contains("not imported: Telemetry 'program' (string): TwinHub properties are numbers"))
        #expect(messages.contains { $0.hasPrefix("not imported: Command 'reboot'") })
        #expect(messages.contains("the state Enum 'machineState' has a value 'WarmingUp' that names no TwinHub state: left out"))
        #expect(messages.contains("'hydraulicPressure': TwinHub has no symbol for 'millibar'; it gets the nearest, 'bar' (values are not converted)"))
        #expect(imported.warnings.first { $0.message.contains("'program'") }?.location.path == "/contents/7")
        #expect(imported.yaml.contains("#   Relationship 'feeds' → dtmi:com:example:factory:Conveyor;1"))
        #expect(imported.yaml.contains("# signal: a temperature lags a target"))
    }

    @Test func importIsDeterministic() throws {
        let first = try importExamples("cnc-mill.json").kinds.map(\.yaml)
        let second = try importExamples("cnc-mill.json").kinds.map(\.yaml)
        #expect(first == second)
    }

    @Test func extendsAndComponentsFoldIntoOneKind() throws {
        let (kinds, warnings) = try importExamples("packaging-line.json")
        #expect(kinds.map(\.id) == ["carton_sealer"])
        #expect(warnings.map(\.message) == ["the Interface 'dtmi:com:example:line:Machine;1' has no numeric Telemetry or Property: no kind made of it"])
        let kind = try KindLoader.load(yaml: try #require(kinds.first).yaml, file: "carton-sealer.yaml")
        #expect(kind.interface.properties.map(\.name) == ["sealTemperature", "cartonCount", "vibration_x", "vibration_y", "drive_current",
                                                          "drive_windingTemperature"])
        #expect(kind.interface.property(named: "vibration_x")?.unit == "g")
        #expect(kind.interface.property(named: "cartonCount")?.unit == "count")
        // idle, execute → running, held, aborted → stopped: states inherited from the base Interface.
        #expect(Set(kind.interface.states.transitions.keys) == [.idle, .running, .held, .stopped])
        #expect(kind.interface.commands == [.start, .hold])
    }

    @Test func writtenKindsPassValidate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dtdl-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in ["cnc-mill.json", "packaging-line.json"] {
            for kind in try importExamples(file).kinds {
                try kind.yaml.write(to: folder.appendingPathComponent(kind.fileName), atomically: true, encoding: .utf8)
            }
        }
        let report = ModelValidator.validate(paths: [folder.path])
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.kinds.keys.sorted() == ["carton_sealer", "cnc_mill"])
    }

    @Test(arguments: [("CncMill", "cnc_mill"), ("ISA95Equipment", "isa95_equipment"), ("press_brake", "press_brake"), ("Robot2Cell", "robot2_cell")])
    func kindIDsAreSnakeCase(_ segment: String, _ id: String) {
        #expect(KindImporter.kindID(for: "dtmi:com:example:\(segment);1") == id)
    }

    @Test func stateEnumsWithoutRunningAreOrdinaryEnums() throws {
        let json = Fixtures.interface(#"""
            { "@type": "Telemetry", "name": "speed", "schema": "double" },
            { "@type": "Property", "name": "mode", "schema": { "@type": "Enum", "valueSchema": "integer", "enumValues": [
              { "name": "idle", "enumValue": 0 }, { "name": "stopped", "enumValue": 2 } ] } }
            """#)
        let (kinds, _) = KindImporter.importKinds(Fixtures.model(json))
        let kind = try KindLoader.load(yaml: try #require(kinds.first).yaml, file: "test.yaml")
        #expect(kind.interface.property(named: "mode")?.limits == 0...2)
        #expect(kind.interface.states == StateModel.default)
    }
}

@Suite struct TwinHubNoteTests {
    /// A model's comment is the model's: a `twinhub:` note that would write outside the folder or into the YAML is
    /// refused, with a warning.
    @Test func hostileNotesAreIgnored() throws {
        let json = Fixtures.interface(#"""
            { "@type": "Telemetry", "name": "speed", "schema": "double", "comment": "twinhub: unit rpm\nrules: []; normal 0..10" }
            """#, extra: #" "comment": "twinhub: kind ../../etc/passwd; sample_interval 1s\nfaults: {}","#)
        let (kinds, _) = KindImporter.importKinds(Fixtures.model(json))
        let imported = try #require(kinds.first)
        #expect(imported.id == "test" && imported.fileName == "test.yaml")
        #expect(imported.warnings.map(\.message) == [
            "the twinhub: note's kind '../../etc/passwd' is not valid here: ignored",
            "the twinhub: note's unit 'rpm\nrules: []' is not valid here: ignored",
            "the twinhub: note's sample_interval '1s\nfaults: {}' is not valid here: ignored",
        ])
        let kind = try KindLoader.load(yaml: imported.yaml, file: "test.yaml")
        #expect(kind.interface.property(named: "speed")?.normal == 0...10)
        #expect(kind.rules.isEmpty && kind.interface.faults.isEmpty)
    }
}
