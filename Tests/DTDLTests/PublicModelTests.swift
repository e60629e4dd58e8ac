import DTDL
import Foundation
import Testing
import TwinModel

/// The Digital Twin Consortium's ManufacturingOntologies (DTDL v2, fixtures with their license): valid by the
/// validator, and the station model imports to a kind that loads.
@Suite struct PublicModelTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ManufacturingOntologies").path

    @Test func isa95EquipmentHierarchyIsValid() throws {
        let model = try DTDLModel.read(paths: [Self.folder + "/EquipmentHierarchy", Self.folder + "/Extensions", Self.folder + "/CommonObjectModels"])
        #expect(Fixtures.errors(model).isEmpty, "\(Fixtures.errors(model))")
        #expect(model.interfaces.count == 18)
        let workCell = try #require(model.interfaces.first { $0.id.hasSuffix("WorkCell;1") })
        #expect(!model.contents(of: workCell).isEmpty)
        // The hierarchy describes structure: strings, Maps and Relationships, no numeric telemetry. The import says so.
        let (kinds, warnings) = KindImporter.importKinds(model)
        #expect(kinds.isEmpty)
        #expect(warnings.contains { $0.message.hasSuffix("has no numeric Telemetry or Property: no kind made of it") })
    }

    @Test func stationImportsToAKind() throws {
        let model = try DTDLModel.read(paths: [Self.folder + "/Models"])
        #expect(Fixtures.errors(model).isEmpty, "\(Fixtures.errors(model))")
        let (kinds, _) = KindImporter.importKinds(model)
        #expect(kinds.map(\.id) == ["station_telemetry"])
        let kind = try KindLoader.load(yaml: try #require(kinds.first).yaml, file: "station-telemetry.yaml")
        #expect(kind.interface.properties.map(\.name) == ["OverallRunningTime", "FaultyTime", "Status", "EnergyConsumption", "IdealCycleTime", "ActualCycleTime"])
        #expect(kind.interface.property(named: "Status")?.type == .integer)
        #expect(kind.interface.property(named: "Status")?.decimals == 0)
    }
}
