import DTDL
import Testing
import TwinModel

/// Every shipped kind, exported to DTDL v3, is valid by the validator, and imports back to the same interface.
@Suite struct RoundTripTests {
    static let kinds: [MachineKind] = ((try? KindLoader.loadBuiltIn()) ?? [:]).values.sorted { $0.id < $1.id }

    @Test func everyShippedKindIsCovered() {
        #expect(Self.kinds.count >= 6)
    }

    @Test(arguments: kinds.map(\.id))
    func exportValidatesAndImportsBack(_ id: String) throws {
        let original = try #require(Self.kinds.first { $0.id == id })
        let json = try KindExporter.export(original.interface)
        let model = DTDLModel.read(documents: [("\(id).json", json)])
        #expect(model.diagnostics.isEmpty, "\(model.diagnostics)")
        let (imported, warnings) = KindImporter.importKinds(model)
        #expect(warnings.isEmpty)
        let only = try #require(imported.first)
        #expect(imported.count == 1 && only.warnings.isEmpty, "\(only.warnings)")
        let back = try KindLoader.load(yaml: only.yaml, file: only.fileName).interface
        let interface = original.interface
        #expect(back.id == interface.id)
        #expect(back.name == interface.name)
        #expect(back.description == interface.description)
        #expect(back.sampleInterval == interface.sampleInterval)
        #expect(back.production == interface.production)
        #expect(back.states == interface.states)
        #expect(back.commands == interface.commands)
        #expect(back.properties.count == interface.properties.count)
        for (mine, theirs) in zip(back.properties, interface.properties) {
            #expect(mine.name == theirs.name)
            #expect(mine.type == theirs.type)
            #expect(mine.unit == theirs.unit)
            #expect(mine.normal == theirs.normal)
            #expect(mine.limits == theirs.limits)
            #expect(mine.decimals == theirs.decimals)
            #expect(mine.normalStates == theirs.normalStates)
        }
        // Not carried: faults (their effects are simulation), rules and signals.
        #expect(back.faults.isEmpty)
    }

    @Test func exportIsDeterministicAndNamesFaultsInCommands() throws {
        let kind = try #require(Self.kinds.first { $0.id == "cnc_machining_centre" })
        let json = try KindExporter.export(kind.interface)
        #expect(json == (try KindExporter.export(kind.interface)))
        let model = DTDLModel.read(documents: [("cnc.json", json)])
        let inject = try #require(model.interfaces.first?.contents.first { $0.name == "inject_fault" })
        guard case .command(let request, _) = inject.kind, case .enumeration(_, let values, _)? = request?.schema else {
            Issue.record("inject_fault has no Enum of faults")
            return
        }
        #expect(values.map(\.name) == kind.interface.faults.map(\.name))
    }

    @Test func unexportableNamesAreErrors() throws {
        var kind = try #require(Self.kinds.first).interface
        kind.properties[0].name = "spindle-speed"
        #expect(throws: DTDLError.self) { try KindExporter.export(kind) }
    }
}
