import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// `twinhub import dtdl` and `export dtdl` as a user runs them: a DTDL model becomes a kind that `twinhub sim` runs on a
/// real broker,
/// served by `twinhub serve`.
@Suite struct DTDLEndToEndTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/dtdl")

    @Test("A DTDL model imported by the CLI is simulated and served on a real broker: its telemetry and twin have the model's names and units")
    func importedModelIsSimulated() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dtdl-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let twins = folder.appendingPathComponent("twins")
        let importer = try ProcessRunner(["import", "dtdl", Self.examples.appendingPathComponent("cnc-mill.json").path, "--out", twins.path])
        #expect(try await importer.exitStatus() == 0, "\(importer.stderr)")
        #expect(importer.stdout.hasPrefix("imported 1 kind from 1 DTDL interface: cnc_mill ("), "\(importer.stdout)")
        #expect(importer.stderr.contains("Warning: "), "what is not carried is named: \(importer.stderr)")
        let scenario = try TestScenario.write(TestScenario.cnc(enterprise: "dtdl", machines: ["mill"], kind: "cnc_mill"), named: "dtdl-test", in: folder)

        try await ConsoleEndToEndTests.withBroker(root: "dtdl") { broker, topics, observer in
            let mill = PlantPath(site: "site", area: "area", line: "line", machine: "mill")
            let telemetry = try await observer.subscribe(to: [topics.topic(.telemetry, for: mill)])
            let twin = try await observer.subscribe(to: [topics.topic(.twin, for: mill)])
            let serve = try await ConsoleEndToEndTests.serve(broker, topics, twins: twins.path)
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", twins.path, "--speed", "60", "--duration", "2m"])
            let samples = try await telemetry.next(3)
            let payload = try SimulatorTests.json(try #require(samples.last))
            #expect(payload["kind"] as? String == "cnc_mill")
            let values = try #require(payload["values"] as? [String: [String: Any]])
            #expect(values["spindleSpeed"]?["unit"] as? String == "rpm")
            #expect(values["spindleTemperature"]?["unit"] as? String == "°C")
            #expect(values["coolantFlow"]?["unit"] as? String == "l/min")
            #expect(values["partCount"]?["unit"] as? String == "count")
            #expect(values["program"] == nil, "a string telemetry is not simulated")

            // The twin service serves the imported kind: its twin reports the model's properties.
            let reported = try await within(.seconds(20), "the mill's twin with its properties") { () -> Set<String> in
                for await message in twin {
                    guard let json = try? SimulatorTests.json(message), json["kind"] as? String == "cnc_mill",
                          let reported = json["reported"] as? [String: Any], reported["spindleSpeed"] != nil else { continue }
                    return Set(reported.keys)
                }
                throw TimedOut(what: "the twins ended")
            }
            #expect(reported.isSuperset(of: ["spindleSpeed", "spindleTemperature", "power", "coolantFlow", "partCount", "doorOpen"]))
            #expect(try await sim.exitStatus(within: .seconds(60)) == 0, "\(sim.stderr)")
            serve.kill(SIGTERM)
            #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
        }
    }

    @Test("The Digital Twin Consortium's station model (a public industrial set) is imported, simulated and served on a real broker")
    func publicModelIsSimulated() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dtdl-public-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = Self.examples.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/DTDLTests/Fixtures/ManufacturingOntologies/Models")
        let twins = folder.appendingPathComponent("twins")
        let importer = try ProcessRunner(["import", "dtdl", models.path, "--out", twins.path])
        #expect(try await importer.exitStatus() == 0, "\(importer.stderr)")
        #expect(importer.stdout.contains("station_telemetry"), "\(importer.stdout)")
        let scenario = try TestScenario.write(TestScenario.cnc(enterprise: "dtc", machines: ["station"], kind: "station_telemetry"),
                                              named: "dtc-test", in: folder)
        try await ConsoleEndToEndTests.withBroker(root: "dtc") { broker, topics, observer in
            let station = PlantPath(site: "site", area: "area", line: "line", machine: "station")
            let twin = try await observer.subscribe(to: [topics.topic(.twin, for: station)])
            let serve = try await ConsoleEndToEndTests.serve(broker, topics, twins: twins.path)
            let sim = try ProcessRunner(["sim", scenario.path, "--broker", broker.url, "--twins", twins.path, "--speed", "60", "--duration", "2m"])
            let reported = try await within(.seconds(20), "the station's twin with the model's properties") { () -> Set<String> in
                for await message in twin {
                    guard let json = try? SimulatorTests.json(message), json["kind"] as? String == "station_telemetry",
                          let reported = json["reported"] as? [String: Any], reported["EnergyConsumption"] != nil else { continue }
                    return Set(reported.keys)
                }
                throw TimedOut(what: "the twins ended")
            }
            #expect(reported == ["OverallRunningTime", "FaultyTime", "Status", "EnergyConsumption", "IdealCycleTime", "ActualCycleTime"])
            #expect(try await sim.exitStatus(within: .seconds(60)) == 0, "\(sim.stderr)")
            serve.kill(SIGTERM)
            #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
        }
    }

    @Test("A broken model is refused with Error: FILE:LINE:COLUMN: /json/path: reason and status 64; export writes valid DTDL; a kind file is written over only with --force")
    func brokenModelAndExport() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dtdl-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.json")
        try #"{ "@context": "dtmi:dtdl:context;3", "@id": "dtmi:a:B;1", "@type": "Interface", "contents": [ { "@type": "Telemetry", "name": "x_", "schema": "double" } ] }"#
            .write(to: bad, atomically: true, encoding: .utf8)
        let refused = try ProcessRunner(["import", "dtdl", bad.path, "--out", folder.appendingPathComponent("twins").path])
        #expect(try await refused.exitStatus() == 64)
        #expect(refused.stderr == "Error: \(bad.path):1:127: /contents/0/name: the name 'x_' must not end with '_'\n")

        let out = folder.appendingPathComponent("dtdl")
        let export = try ProcessRunner(["export", "dtdl", "press_brake", "--out", out.path])
        #expect(try await export.exitStatus() == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("exported 1 kind as DTDL v3: press_brake ("))
        let back = try ProcessRunner(["import", "dtdl", out.path, "--out", folder.appendingPathComponent("back").path])
        #expect(try await back.exitStatus() == 0, "\(back.stderr)")
        #expect(back.stderr.isEmpty, "an export imports back without warnings")
        let kindFile = folder.appendingPathComponent("back/press-brake.yaml")
        try "# tuned by hand\n".write(to: kindFile, atomically: true, encoding: .utf8)
        let again = try ProcessRunner(["import", "dtdl", out.path, "--out", folder.appendingPathComponent("back").path])
        #expect(try await again.exitStatus() == 64)
        #expect(again.stderr == "Error: \(kindFile.path) exists, perhaps tuned by hand; --force writes over them\n")
        #expect(try String(contentsOf: kindFile, encoding: .utf8) == "# tuned by hand\n")
        let forced = try ProcessRunner(["import", "dtdl", out.path, "--out", folder.appendingPathComponent("back").path, "--force"])
        #expect(try await forced.exitStatus() == 0, "\(forced.stderr)")
        #expect(try String(contentsOf: kindFile, encoding: .utf8).contains("kind: press_brake"))
    }
}
