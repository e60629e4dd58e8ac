import Foundation
import Testing
import TwinHubBroker

/// `twinhub` run as an installed tool: from a folder that is not the repository, with the kinds and scenarios built
/// into the binary.
@Suite("twinhub from any folder", .timeLimit(.minutes(1)))
struct InstalledToolTests {
    /// An empty folder outside the repository, removed afterwards.
    static func withForeignFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-user-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    @Test("sim runs a built-in scenario by name from a folder with no twins/ or simulations/; a typo gets a suggestion")
    func simFromAnywhere() async throws {
        try await Self.withForeignFolder { folder in
            try await MosquittoBroker.withBroker { broker in
                let sim = try ProcessRunner(["sim", "sheet-metal-job-shop", "--broker", broker.url, "--speed", "600", "--duration", "5m"],
                                            workingDirectory: folder)
                #expect(try await sim.exitStatus() == 0, "\(sim.stderr)")
                #expect(sim.stdout.contains("4 machines"), "\(sim.stdout)")
            }
            let typo = try ProcessRunner(["sim", "sheet_metal_job_shp", "--broker", "mqtt://127.0.0.1:1"], workingDirectory: folder)
            #expect(try await typo.exitStatus() != 0)
            #expect(typo.stderr.contains("did you mean 'sheet_metal_job_shop'?"), "\(typo.stderr)")
        }
    }

    @Test("validate checks a scenario of one's own against the built-in kinds")
    func validateOwnScenario() async throws {
        try await Self.withForeignFolder { folder in
            try """
                scenario: my_cell
                enterprise: me
                start: "2026-03-02T06:00:00Z"
                sites:
                  - id: home
                    areas:
                      - id: shop
                        lines:
                          - id: cell-1
                            machines:
                              - { id: cnc-01, kind: cnc_machining_centre }
                """.write(to: folder.appendingPathComponent("my-cell.yaml"), atomically: true, encoding: .utf8)
            let validate = try ProcessRunner(["validate", "my-cell.yaml"], workingDirectory: folder)
            #expect(try await validate.exitStatus() == 0, "\(validate.stdout)\(validate.stderr)")
            #expect(validate.stdout.contains("1 scenarios, 1 machines"), "\(validate.stdout)")
        }
    }

    @Test("A console started before any twin service says it waits and follows the service once it starts; serve takes its root from --scenario and keeps its twins in the XDG data folder, saying where")
    func consoleWaitsForServe() async throws {
        try await Self.withForeignFolder { folder in
            try await MosquittoBroker.withBroker { broker in
                let environment = ["XDG_DATA_HOME": folder.appendingPathComponent("data").path]
                let console = try ProcessRunner(["console", "--plain", "--broker", broker.url], workingDirectory: folder)
                try await console.awaitStderr(containing: "no twin service on \(broker.url) yet")
                let serve = try ProcessRunner(["serve", "--scenario", "sheet_metal_job_shop", "--broker", broker.url],
                                              workingDirectory: folder, environment: environment)
                let database = folder.appendingPathComponent("data/twinhub/twinhub-acme.sqlite").path
                try await serve.awaitStderr(containing: "serving acme/ on \(broker.url); twins kept in \(database)")
                try await console.awaitStderr(containing: "following the alerts of acme/")
                #expect(FileManager.default.fileExists(atPath: database))
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["data"], "nothing in the current folder")
                console.kill(SIGTERM)
                serve.kill(SIGTERM)
                #expect(try await console.exitStatus() == 0, "\(console.stderr)")
                #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
            }
        }
    }

    @Test("A console that waits for a twin service gives up after --wait-for-service, saying why")
    func consoleGivesUp() async throws {
        try await MosquittoBroker.withBroker { broker in
            let console = try ProcessRunner(["console", "--plain", "--broker", broker.url, "--wait-for-service", "0.5"])
            #expect(try await console.exitStatus() != 0)
            #expect(console.stderr.contains("waiting for one for 0.5 s"), "\(console.stderr)")
            #expect(console.stderr.contains("no twin service found on \(broker.url)"), "\(console.stderr)")
        }
    }

    @Test("A scenario, kinds folder or database that cannot be used: 'Error:' with where and why, no usage text, status 64")
    func configurationErrors() async throws {
        try await Self.withForeignFolder { folder in
            try "scenario: x\nenterprise: e\nsites: [\n".write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
            try "not a database".write(to: folder.appendingPathComponent("notes.sqlite"), atomically: true, encoding: .utf8)
            try "kind: k\nname: x\nproperties: \(String(repeating: "[", count: 2000))\(String(repeating: "]", count: 2000))\n"
                .write(to: folder.appendingPathComponent("deep.yaml"), atomically: true, encoding: .utf8)
            let cases: [(arguments: [String], says: String)] = [
                (["sim", "broken.yaml", "--broker", "mqtt://127.0.0.1:1"], "Error: scenario 'broken.yaml':\nbroken.yaml:4:1: malformed YAML"),
                (["serve", "--root", "x", "--db", "notes.sqlite", "--broker", "mqtt://127.0.0.1:1"], "Error: cannot open the twin database 'notes.sqlite': "),
                (["serve", "--root", "x", "--twins", "nowhere", "--broker", "mqtt://127.0.0.1:1"], "--twins 'nowhere' is not a folder"),
            ]
            for (arguments, says) in cases {
                let run = try ProcessRunner(arguments, workingDirectory: folder)
                let status = try await run.exitStatus()
                #expect(status == 64, "\(arguments): \(run.stderr)")
                #expect(run.stderr.contains(says), "\(arguments): \(run.stderr)")
                #expect(!run.stderr.hasPrefix("Error: \n"), "no empty first line: \(run.stderr)")
            }
            for arguments in cases.prefix(2).map(\.arguments) {
                let run = try ProcessRunner(arguments, workingDirectory: folder)
                _ = try await run.exitStatus()
                #expect(!run.stderr.contains("Usage:"), "a file's problem is not a usage error: \(run.stderr)")
            }
            let deep = try ProcessRunner(["validate", "deep.yaml"], workingDirectory: folder)
            #expect(try await deep.exitStatus() == 1)
            #expect(deep.stdout.contains("deep.yaml:3:") && deep.stdout.contains("nested too deeply"), "\(deep.stdout)")
            #expect(!deep.stdout.contains("yaml_set_max_nest_level"))
        }
    }
}
