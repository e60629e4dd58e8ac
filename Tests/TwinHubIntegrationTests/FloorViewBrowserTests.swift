import Foundation
import Rules
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import TwinService
@testable import WebRuntime

/// The floor view in a real headless Chromium, driven by Selenium (`Tests/Browser/floor_view.py`), beside a real
/// broker, twin service and web server; the test plays two CNC machines. The page places the machines, sends the
/// trainer's fault injection, shows the alert the fault raises, and acknowledges it; screenshots are kept in
/// `.build/artefacts/browser` (or `$TWINHUB_ARTEFACTS`).
@Suite("Floor view in Chromium", .serialized, .timeLimit(.minutes(3)))
struct FloorViewBrowserTests {
    static let topics = try! TopicMap(root: "browser")
    static let cnc = PlantPath(site: "plant", area: "machining", line: "cell-1", machine: "cnc-01")
    static let neighbour = PlantPath(site: "plant", area: "machining", line: "cell-1", machine: "cnc-02")
    static let script = OpenAPIContract.root.appendingPathComponent("Tests/Browser/floor_view.py")
    static var artefacts: URL {
        ProcessInfo.processInfo.environment["TWINHUB_ARTEFACTS"].map { URL(fileURLWithPath: $0) }
            ?? OpenAPIContract.root.appendingPathComponent(".build/artefacts/browser")
    }

    /// A CNC machining centre played by the test: spindle temperatures one second apart on its clock.
    struct Machine {
        let client: MQTTClient
        let path: PlantPath
        var sequence: UInt64 = 0
        var clock = Date(timeIntervalSince1970: 1_772_431_200)

        mutating func send(temperature: Double, samples: Int = 1) async throws {
            for _ in 0..<samples {
                sequence += 1
                let sample = TelemetrySample(time: clock, sequence: sequence,
                                             values: [.init(property: "spindle_temperature", value: temperature, unit: "°C")])
                try await client.publish(to: FloorViewBrowserTests.topics.topic(.telemetry, for: path),
                                         payload: JSONCodec.telemetry(sample, machine: path.name, kind: "cnc_machining_centre"), qos: .atLeastOnce)
                clock = clock.addingTimeInterval(1)
            }
        }
    }

    /// The fields of the step named `name` once the script prints it (one JSON object a line); fails when the script
    /// reports a failure or ends first.
    static func step(_ name: String, in lines: LineReader) async throws -> [String: Double] {
        @Sendable func object(_ line: String) -> [String: Any]? { try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] }
        let line = try await lines.first("the browser's step '\(name)'", within: .seconds(60)) { line in
            let step = object(line)?["step"] as? String
            return step == name || step == "failed"
        }
        let fields = object(line) ?? [:]
        if fields["step"] as? String == "failed" { throw TimedOut(what: "the browser failed: \(fields["reason"] ?? "?")") }
        return fields.compactMapValues { $0 as? Double }
    }

    @Test("The page places the machines, injects a fault, shows the alert it raises within 2 s and acknowledges it")
    func floorView() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-system-packages installs chromium and chromium-driver")
            return
        }
        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
        try await MosquittoBroker.withBroker { broker in
            let kinds = try KindLoader.loadBuiltIn()
            var options = TwinService.Options(connection: try clientConfiguration(broker.url, clientID: "browser-serve"), topics: Self.topics,
                                              kinds: kinds.mapValues(\.interface))
            options.rules = RuleBook(kinds: kinds)
            let service = TwinService(options: options, logger: testLogger)
            let serving = Task { try await service.run() }
            defer { serving.cancel() }

            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [Self.topics.alertEvents])
            let commands = try await observer.subscribe(to: [Self.topics.topic(.cmd, for: Self.cnc)])
            try await WebServerTests.withWebServer(broker, topics: Self.topics, kinds: kinds.mapValues(\.interface)) { url in
                _ = try await WebServerTests.poll(url, "/health", "the twin service") { answer in
                    (try answer.json() as? [String: Any])?["twin_service_seen"] as? Bool == true
                }
                var machine = Machine(client: try await connectedClient(broker.url), path: Self.cnc)
                var neighbour = Machine(client: try await connectedClient(broker.url), path: Self.neighbour)
                try await machine.send(temperature: 40)
                try await neighbour.send(temperature: 41)
                _ = try await WebServerTests.poll(url, "/health", "both twins") { (try $0.json() as? [String: Any])?["twins"] as? Int == 2 }

                let server = "http://127.0.0.1:\(url.port!)"
                let browser = Process()
                browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                browser.arguments = ["python3", Self.script.path, "--url", server, "--machine", Self.cnc.description, "--fault", "coolant_loss",
                                     "--rule", "spindle_overheat", "--artefacts", Self.artefacts.path]
                let output = Pipe()
                browser.standardOutput = output
                let steps = LineReader(output)
                let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
                browser.terminationHandler = { exited.yield($0.terminationStatus) }
                try browser.run()
                defer { if browser.isRunning { browser.terminate() } }

                let placed = try await Self.step("placed", in: steps)
                #expect(placed["machines"] == 2)
                _ = try await Self.step("injected", in: steps)
                let command = try JSONCodec.decodeCommand(try await commands.next(1, within: .seconds(45))[0].payload)
                #expect(command.command == .injectFault && command.fault == "coolant_loss")
                // The machine plays the fault: its spindle overheats for 10 s of its clock.
                try await machine.send(temperature: 97.4, samples: 11)
                // Chromium shares the machine's two cores with the whole suite: the waits are generous, the 2 s is not.
                let raised = try AlertServiceTests.json(try await events.next(1, within: .seconds(45))[0])
                let raisedAt = Date()
                #expect(raised["event"] as? String == "raised")
                let seen = try #require(try await Self.step("alert_seen", in: steps)["at"])
                #expect(seen - raisedAt.timeIntervalSince1970 <= 2, "the page showed the alert \(seen - raisedAt.timeIntervalSince1970) s after it was raised")

                let acknowledged = try AlertServiceTests.json(try await events.next(1, within: .seconds(45))[0])
                #expect(acknowledged["event"] as? String == "acknowledged")
                #expect(((acknowledged["alert"] as? [String: Any])?["acknowledgement"] as? [String: Any])?["by"] as? String == "browser-trainer")
                _ = try await Self.step("acknowledged", in: steps)
                let status = try await within(.seconds(30), "the browser script to end") {
                    for await status in exits { return status }
                    throw TimedOut(what: "the script's exit")
                }
                #expect(status == 0, "\(steps.text)")
                for name in ["floor", "alert", "acknowledged", "large-type"] {
                    #expect(FileManager.default.fileExists(atPath: Self.artefacts.appendingPathComponent("floor-\(name).png").path))
                }
            }
        }
    }
}
