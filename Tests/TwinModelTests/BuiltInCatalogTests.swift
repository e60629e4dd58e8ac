import Foundation
import Testing
import TwinHubCatalog
@testable import TwinModel

/// The kinds and scenarios compiled into the binary: the same as the repository's folders, all loadable, and found
/// by name from anywhere; a folder of one's own adds kinds and takes the place of built-in ones.
@Suite("Built-in kinds and scenarios")
struct BuiltInCatalogTests {
    static let root = Repository.root

    @Test("The built-in files are the repository's twins/ and simulations/, byte for byte (else run scripts/generate-catalog)")
    func upToDate() throws {
        var onDisk: [String: String] = [:]
        for folder in ["twins", "simulations"] {
            let base = Self.root.appendingPathComponent(folder)
            let enumerator = try #require(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
            for case let url as URL in enumerator where ["yaml", "yml", "csv"].contains(url.pathExtension) {
                let relative = folder + url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count)
                onDisk[relative] = try String(contentsOf: url, encoding: .utf8)
            }
        }
        #expect(Set(BuiltInFiles.files.keys) == Set(onDisk.keys), "run scripts/generate-catalog")
        for (path, text) in onDisk { #expect(BuiltInFiles.files[path] == text, "\(path) differs: run scripts/generate-catalog") }
    }

    @Test("Every built-in kind loads, with its replay data; every built-in scenario loads with the built-in kinds")
    func everythingLoads() throws {
        let kinds = try KindLoader.loadBuiltIn()
        #expect(kinds.count == YAMLFiles.builtIn(in: "twins").count && kinds.count >= 6)
        #expect(kinds.values.allSatisfy { $0.location.file.hasPrefix(YAMLFiles.builtInPrefix) })
        let entries = ScenarioCatalog.entries(folder: "/nonexistent")
        #expect(entries.map(\.name).sorted() == ["factory_demo", "predictive_maintenance_training", "scale_10k", "sheet_metal_job_shop",
                                                 "textile_weaving_hall"])
        for entry in entries {
            let scenario = try ScenarioLoader.load(file: entry.file, kinds: kinds)
            #expect(!scenario.machines.isEmpty, "\(entry.name)")
        }
    }

    @Test("A scenario is found by its id, its file name with or without .yaml, or its path; a typo gets a suggestion")
    func resolving() throws {
        let builtIn = YAMLFiles.builtInPrefix + "simulations/sheet-metal-job-shop.yaml"
        for name in ["sheet_metal_job_shop", "sheet-metal-job-shop", "sheet-metal-job-shop.yaml"] {
            #expect(try ScenarioCatalog.resolve(name, folder: "/nonexistent") == builtIn, "\(name)")
        }
        let path = Self.root.appendingPathComponent("simulations/factory-demo.yaml").path
        #expect(try ScenarioCatalog.resolve(path, folder: "/nonexistent") == path)
        #expect(try ScenarioCatalog.resolve("factory_demo", folder: Self.root.appendingPathComponent("simulations").path)
                == Self.root.appendingPathComponent("simulations/factory-demo.yaml").path, "a local folder comes first")
        let error = #expect(throws: ScenarioCatalog.UnknownScenario.self) { try ScenarioCatalog.resolve("sheet_metal_job_shp", folder: "/nonexistent") }
        #expect(error?.description.contains("did you mean 'sheet_metal_job_shop'?") == true, "\(String(describing: error))")
        #expect(error?.description.contains("known: factory_demo, ") == true)
    }

    @Test("A folder's kinds are added to the built-in ones and take the place of a built-in kind with the same id")
    func overriding() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kinds-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let compressor = try #require(BuiltInFiles.files["twins/screw-compressor.yaml"])
        try compressor.replacingOccurrences(of: "\nname: ", with: "\nname: Our ")
            .replacingOccurrences(of: "file: data/", with: "file: \(Self.root.path)/twins/data/")
            .write(to: folder.appendingPathComponent("compressor.yaml"), atomically: true, encoding: .utf8)
        try "kind: pump\nname: Pump\nproperties:\n  flow: {unit: l/min, normal: [10, 30], signal: {constant: 20}}\n"
            .write(to: folder.appendingPathComponent("pump.yaml"), atomically: true, encoding: .utf8)
        let builtIn = try KindLoader.loadBuiltIn()
        let kinds = try KindLoader.loadBuiltIn(overriddenBy: folder.path)
        #expect(Set(kinds.keys) == Set(builtIn.keys).union(["pump"]))
        let id = try #require(builtIn.values.first { $0.location.file.hasSuffix("screw-compressor.yaml") }?.interface.id)
        #expect(kinds[id]?.interface.name.hasPrefix("Our ") == true)
        #expect(kinds[id]?.location.file.hasPrefix(folder.path) == true)
    }
}
