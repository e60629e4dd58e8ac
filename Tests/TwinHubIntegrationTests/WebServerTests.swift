import FleetView
import Foundation
import NIOCore
import NIOPosix
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
@testable import WebRuntime
import WebView

/// `twinhub web` over real HTTP, beside a real broker and twin service: the test plays the machine (as the alert
/// tests do), reads the API and writes through it, and checks every answer against `openapi/twinhub-web.yaml`.
@Suite("Web API over HTTP", .serialized, .timeLimit(.minutes(2)))
struct WebServerTests {
    static let contract = Result { try OpenAPIContract() }
    static let machinePath = "site/area/line/cnc"
    static let machineOperation = "/twins/{site}/{area}/{line}/{machine}"

    /// Runs a web server for the fleet of ``AlertServiceTests`` until `body` returns; `body` gets its base URL.
    static func withWebServer(_ broker: MosquittoBroker, topics: TopicMap = AlertServiceTests.topics, kinds: [String: MachineInterface]? = nil,
                              configure: (inout WebOptions) -> Void = { _ in }, _ body: (URL) async throws -> Void) async throws {
        let testKinds = [AlertServiceTests.kindYAML].map { try! KindLoader.load(yaml: $0, file: "test-mill.yaml") }
        var options = WebOptions(connection: try clientConfiguration(broker.url), topics: topics,
                                 kinds: kinds ?? Dictionary(uniqueKeysWithValues: testKinds.map { ($0.id, $0.interface) }))
        options.port = 0
        configure(&options)
        let server = try WebServer(options: options, logger: testLogger)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        let port = try await within(.seconds(10), "the web server to listen") {
            for await port in ports { return port }
            throw TimedOut(what: "the port (the server ended)")
        }
        try await body(URL(string: "http://127.0.0.1:\(port)/api/v1")!)
    }

    /// A broker, the twin service and a web server, and the machine (played by the test) with one sample in, which
    /// the web server has seen; `body` gets the API's URL and the machine.
    static func withServedMachine(configure: (inout WebOptions) -> Void = { _ in },
                                  _ body: (URL, inout AlertServiceTests.PlayedMachine) async throws -> Void) async throws {
        try await MosquittoBroker.withBroker { broker in
            try await AlertServiceTests.withService(broker) {
                try await withWebServer(broker, configure: configure) { url in
                    var machine = try await AlertServiceTests.PlayedMachine(broker)
                    try await machine.send(temperature: 40, samples: 1)
                    _ = try await poll(url, "/health", "the twin") { (try $0.json() as? [String: Any])?["twins"] as? Int == 1 }
                    try await body(url, &machine)
                }
            }
        }
    }

    static func request(_ method: String, _ url: URL, _ path: String, body: String? = nil, token: String? = nil,
                        headers: [String: String] = [:]) async throws -> (HTTPAnswer) {
        try await exchange(method, url, path, body: body, token: token, headers: headers).answer
    }

    /// The answer and its headers.
    static func exchange(_ method: String, _ url: URL, _ path: String, body: String? = nil, token: String? = nil,
                         headers: [String: String] = [:]) async throws -> (answer: HTTPAnswer, headers: [String: String]) {
        var request = URLRequest(url: URL(string: url.absoluteString + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (HTTPAnswer(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "", body: Array(data)), fields)
    }

    /// `GET path` until `accept` takes the answer (the web server learns from MQTT: there is no event to await over HTTP).
    static func poll(_ url: URL, _ path: String, _ what: String, _ accept: @escaping @Sendable (HTTPAnswer) throws -> Bool) async throws -> HTTPAnswer {
        let deadline = ContinuousClock.now + .seconds(15)
        var last: HTTPAnswer?
        while ContinuousClock.now < deadline {
            let answer = try await request("GET", url, path)
            if try accept(answer) { return answer }
            last = answer
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TimedOut(what: "\(what); last answer: \(last.map { "\($0.status) \($0.text)" } ?? "none")")
    }

    @Test("Reads and writes end to end: twins, an alert raised by the machine, its acknowledgement and a command reach MQTT, every answer as the spec says")
    func endToEnd() async throws {
        let contract = try Self.contract.get()
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [AlertServiceTests.topics.alertEvents])
            let commands = try await observer.subscribe(to: [AlertServiceTests.topics.topic(.cmd, for: AlertServiceTests.cnc)])
            try await AlertServiceTests.withService(broker) {
                try await Self.withWebServer(broker) { url in
                    var machine = try await AlertServiceTests.PlayedMachine(broker)
                    try await machine.send(temperature: 40, samples: 1)
                    let health = try await Self.poll(url, "/health", "the twin service and its twin") { answer in
                        (try answer.json() as? [String: Any])?["twins"] as? Int == 1 && answer.status == 200
                    }
                    contract.check(health, "GET /health")

                    let twins = try await Self.request("GET", url, "/twins?path=site/%23&kind=test_mill")
                    contract.check(twins, "GET /twins")
                    #expect((try twins.json() as? [[String: Any]])?.first?["path"] as? String == Self.machinePath)
                    let twin = try await Self.request("GET", url, "/twins/\(Self.machinePath)")
                    contract.check(twin, "GET \(Self.machineOperation)")
                    #expect((try twin.json() as? [String: Any])?["kind"] as? String == "test_mill")
                    let layout = try await Self.request("GET", url, "/layout")
                    contract.check(layout, "GET /layout")
                    let scene = try await Self.request("GET", url, "/floor.glb")
                    contract.check(scene, "GET /floor.glb")
                    try await Self.checkScene(scene.body, layout: layout.body)
                    contract.check(try await Self.request("GET", url, "/kinds"), "GET /kinds")
                    contract.check(try await Self.request("GET", url, "/kpi"), "GET /kpi")
                    contract.check(try await Self.request("GET", url, "/events?max_rate=600"), "GET /events")
                    let history = try await Self.poll(url, "/twins/\(Self.machinePath)/history?property=spindle_temperature", "a history") {
                        $0.status == 200
                    }
                    contract.check(history, "GET \(Self.machineOperation)/history")

                    try await machine.overheat()
                    #expect(try AlertServiceTests.json(try await events.next(1, within: .seconds(45))[0])["event"] as? String == "raised")
                    let alerts = try await Self.poll(url, "/alerts?severity=critical", "the raised alert") {
                        (try $0.json() as? [[String: Any]])?.count == 1
                    }
                    contract.check(alerts, "GET /alerts")

                    let ack = try await Self.request("POST", url, "/alerts/\(Self.machinePath)/spindle_overheat/ack",
                                                     body: #"{"by":"trainer","comment":"from the web"}"#)
                    contract.check(ack, "POST /alerts/{site}/{area}/{line}/{machine}/{rule}/ack")
                    #expect(ack.status == 202)
                    let acknowledged = try AlertServiceTests.json(try await events.next(1, within: .seconds(45))[0])
                    #expect(acknowledged["event"] as? String == "acknowledged")
                    #expect(((acknowledged["alert"] as? [String: Any])?["acknowledgement"] as? [String: Any])?["comment"] as? String == "from the web")

                    let command = try await Self.request("POST", url, "/twins/\(Self.machinePath)/commands", body: #"{"command":"stop"}"#)
                    contract.check(command, "POST \(Self.machineOperation)/commands")
                    #expect(try JSONCodec.decodeCommand(try await commands.next(1, within: .seconds(45))[0].payload).command == .stop)
                    let desired = try await Self.request("PUT", url, "/twins/\(Self.machinePath)/desired", body: #"{"state":"stopped"}"#)
                    contract.check(desired, "PUT \(Self.machineOperation)/desired")
                    #expect(desired.status == 202)
                    #expect(contract.checkedOperations.isSuperset(of: contract.operations), "every operation of the spec answered here")
                }
            }
        }
    }

    /// Loads the scene with trimesh and pygltflib (Python, from PyPI): each machine's box stands where the layout says.
    static func checkScene(_ scene: [UInt8], layout: [UInt8]) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-scene-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(scene).write(to: folder.appendingPathComponent("floor.glb"))
        try Data(layout).write(to: folder.appendingPathComponent("layout.json"))
        let (status, text) = try await runTool("/usr/bin/env", ["python3", OpenAPIContract.root.appendingPathComponent("Tests/Browser/check_scene.py").path,
                                                                folder.appendingPathComponent("floor.glb").path, folder.appendingPathComponent("layout.json").path])
        #expect(status == .exited(0), "the scene does not load as the layout says:\n\(text)")
    }

    @Test("A page of another origin may not write unless allowed (403; allowed ones get CORS headers), and a write's body must be declared JSON (415)")
    func origins() async throws {
        let contract = try Self.contract.get()
        try await Self.withServedMachine(configure: { $0.corsOrigins = ["http://allowed.example"] }) { url, _ in
            let path = "/twins/\(Self.machinePath)/commands", operation = "POST \(Self.machineOperation)/commands"
            let evil = try await Self.request("POST", url, path, body: #"{"command":"stop"}"#, headers: ["Origin": "http://evil.example"])
            #expect(evil.status == 403 && evil.text.contains("--cors-origin"), "\(evil.text)")
            contract.check(evil, operation)
            let plain = try await Self.request("POST", url, path, body: #"{"command":"stop"}"#, headers: ["Content-Type": "text/plain"])
            #expect(plain.status == 415, "\(plain.text)")
            contract.check(plain, operation)
            let allowed = try await Self.exchange("POST", url, path, body: #"{"command":"stop"}"#, headers: ["Origin": "http://allowed.example"])
            #expect(allowed.answer.status == 202 && allowed.headers["access-control-allow-origin"] == "http://allowed.example", "\(allowed.headers)")
            let preflight = try await Self.exchange("OPTIONS", url, path, headers: ["Origin": "http://allowed.example",
                                                                                   "Access-Control-Request-Method": "POST"])
            #expect(preflight.answer.status == 204 && preflight.headers["access-control-allow-methods"]?.contains("POST") == true)
            let sameOrigin = try await Self.request("POST", url, path, body: #"{"command":"start"}"#, headers: ["Origin": "http://127.0.0.1:\(url.port!)"])
            #expect(sameOrigin.status == 202, "the floor view's own page writes")
        }
    }

    @Test("Headers that trickle in past the limit are answered 408 (a problem document) and the connection closed, counted in the health; a head split over two writes in time is served")
    func slowHeaders() async throws {
        try await MosquittoBroker.withBroker { broker in
            try await Self.withWebServer(broker, configure: { $0.requestHeadTimeout = .milliseconds(500) }) { url in
                let served = try await Self.exchangeRaw(port: url.port!, parts: ["GET /api/v1/kinds HTTP/1.1\r\nHost: test\r\n", "Connection: close\r\n\r\n"])
                #expect(served.hasPrefix("HTTP/1.1 200"), "\(served)")
                let refused = try await Self.exchangeRaw(port: url.port!, parts: ["GET /api/v1/kinds HTTP/1.1\r\nHost: test\r\n"])
                #expect(refused.hasPrefix("HTTP/1.1 408"), "\(refused)")
                #expect(refused.contains("application/problem+json") && refused.contains("did not arrive within 0.5 s"), "\(refused)")
                let health = try await Self.request("GET", url, "/health")
                #expect(((try health.json() as? [String: Any])?["requests_refused"] as? [String: Int])?["408"] == 1, "\(health.text)")
            }
        }
    }

    /// Writes `parts` to a new connection, 100 ms apart, and returns all the server sends until it closes.
    static func exchangeRaw(port: Int, parts: [String]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await within(.seconds(15), "the server to answer and close") {
            try await channel.executeThenClose { inbound, outbound in
                for (index, part) in parts.enumerated() {
                    if index > 0 { try await Task.sleep(for: .milliseconds(100)) }
                    try await outbound.write(ByteBuffer(string: part))
                }
                var text = ""
                for try await chunk in inbound { text += String(buffer: chunk) }
                return text
            }
        }
    }

    @Test("The server serves before its broker is up, says so in its health, and connects once the broker answers")
    func brokerLater() async throws {
        try await MosquittoBroker.withBroker { broker in
            await broker.kill()
            try await Self.withWebServer(broker) { url in
                let down = try await Self.poll(url, "/health", "a failed attempt") { answer in
                    ((try answer.json() as? [String: Any])?["broker"] as? [String: Any])?["connection"] as? String != "connecting"
                }
                #expect(down.status == 503)
                #expect(((try down.json() as? [String: Any])?["broker"] as? [String: Any])?["connected"] as? Bool == false)
                try await broker.restart()
                _ = try await Self.poll(url, "/health", "the broker connected") { answer in
                    ((try answer.json() as? [String: Any])?["broker"] as? [String: Any])?["connected"] as? Bool == true
                }
            }
        }
    }

    @Test("Stopped while it waits for its broker, the server stops (the first connection's wait is not left behind)")
    func stopsWhileWaitingForTheBroker() async throws {
        var options = WebOptions(connection: try clientConfiguration("mqtt://127.0.0.1:\(try FreePort.pick())"), topics: AlertServiceTests.topics, kinds: [:])
        options.port = 0
        let server = try WebServer(options: options, logger: testLogger)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        _ = try await within(.seconds(10), "the server to listen") {
            for await port in ports { return port }
            throw TimedOut(what: "the port")
        }
        serving.cancel()
        try await within(.seconds(10), "the server to stop") { _ = try? await serving.value }
    }

    @Test("With a certificate and key, the API is served over HTTPS (curl checks it against the CA); a bad key file says which")
    func https() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-web-tls-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificates = try TestCertificates.generate(in: folder)
        try await MosquittoBroker.withBroker { broker in
            try await Self.withWebServer(broker, configure: { $0.tls = (certificates.serverCertificate.path, certificates.serverKey.path) }) { url in
                let (status, text) = try await runTool("/usr/bin/curl", ["-s", "-m", "30", "--cacert", certificates.caCertificate.path, "-w", "\n%{http_code}",
                                                                         "https://localhost:\(url.port!)/api/v1/kinds"])
                #expect(status == .exited(0) && text.hasSuffix("\n200") && text.contains("test_mill"), "\(text)")
            }
        }
        var options = WebOptions(connection: try clientConfiguration("mqtt://127.0.0.1:1"), topics: AlertServiceTests.topics, kinds: [:])
        options.tls = (certificates.serverCertificate.path, certificates.caCertificate.path)
        let refusal = try #require(throws: WebConfigurationError.self) { try WebServer(options: options, logger: testLogger) }
        #expect(refusal.description.contains("cannot read the private key '\(certificates.caCertificate.path)'"))
    }

    @Test("Every shipped scenario's floor.glb loads in trimesh and pygltflib, each box where its layout says")
    func scenes() async throws {
        let kinds = try KindLoader.loadBuiltIn()
        for name in ["factory_demo", "sheet_metal_job_shop", "textile_weaving_hall", "predictive_maintenance_training"] {
            let scenario = try ScenarioLoader.load(file: ScenarioCatalog.resolve(name, folder: "/nonexistent"), kinds: kinds)
            let api = WebAPI(kinds: kinds.mapValues(\.interface), scenario: scenario)
            let fleet = WebFleet(model: FleetModel(broker: "none", root: scenario.enterprise),
                                 decoder: ServiceMessageDecoder(topics: try TopicMap(root: scenario.enterprise)))
            try await Self.checkScene(FloorScene.glb(of: api.floor(in: fleet)), layout: api.layout(in: fleet).body)
        }
    }

    @Test("Bad requests are problem documents saying what and where, each counted by status")
    func badRequests() async throws {
        let contract = try Self.contract.get()
        try await Self.withServedMachine { url, _ in
            let cases: [(String, String, String?, Int, String, String)] = [
                ("GET", "/twins?path=site/%23/x", nil, 400, "GET /twins", "'#' may only be the last level"),
                ("GET", "/twins?colour=red", nil, 400, "GET /twins", "unknown query parameter 'colour'"),
                ("GET", "/twins/site/area/line/nobody", nil, 404, "GET \(Self.machineOperation)", "no twin of site/area/line/nobody"),
                ("GET", "/alerts?status=closed", nil, 400, "GET /alerts", "status must be open or all"),
                ("GET", "/kpi?path=site/area/line/cnc", nil, 400, "GET /kpi", "not a site, area or line"),
                ("POST", "/twins/\(Self.machinePath)/commands", "{\"command\":", 400, "POST \(Self.machineOperation)/commands", "malformed_json"),
                ("POST", "/twins/\(Self.machinePath)/commands", #"{"command":"launch"}"#, 400, "POST \(Self.machineOperation)/commands", "launch"),
                ("POST", "/twins/\(Self.machinePath)/commands", String(repeating: " ", count: 20_000), 413,
                 "POST \(Self.machineOperation)/commands", "larger than"),
                ("PUT", "/twins/\(Self.machinePath)/desired", #"{"state":7}"#, 400, "PUT \(Self.machineOperation)/desired", "state"),
                ("POST", "/alerts/\(Self.machinePath)/spindle_overheat/ack", #"{"by":"x"}"#, 404,
                 "POST /alerts/{site}/{area}/{line}/{machine}/{rule}/ack", "no open alert 'spindle_overheat'"),
            ]
            for (method, path, body, status, operation, reason) in cases {
                let answer = try await Self.request(method, url, path, body: body)
                #expect(answer.status == status, "\(method) \(path): \(answer.text)")
                #expect(answer.text.contains(reason), "\(method) \(path): \(answer.text)")
                contract.check(answer, operation)
            }
            let unknown = try await Self.request("GET", url, "/nothing/here")
            #expect(unknown.status == 404 && unknown.contentType.hasPrefix("application/problem+json"))
            let health = try await Self.request("GET", url, "/health")
            let refused = try #require((try health.json() as? [String: Any])?["requests_refused"] as? [String: Int])
            #expect(refused == ["400": 7, "404": 3, "413": 1])
        }
    }

    @Test("Writes need the bearer token when asked to: none is 401, a wrong one 403; reads stay open")
    func token() async throws {
        let contract = try Self.contract.get()
        try await Self.withServedMachine(configure: { $0.requireToken = true; $0.token = "s3cret-token" }) { url, _ in
            let path = "/twins/\(Self.machinePath)/commands", operation = "POST \(Self.machineOperation)/commands"
            let none = try await Self.request("POST", url, path, body: #"{"command":"start"}"#)
            let wrong = try await Self.request("POST", url, path, body: #"{"command":"start"}"#, token: "s3cret-tokem")
            let right = try await Self.request("POST", url, path, body: #"{"command":"start"}"#, token: "s3cret-token")
            #expect([none.status, wrong.status, right.status] == [Int]([401, 403, 202]))
            for answer in [none, wrong, right] { contract.check(answer, operation) }
            #expect(try await Self.request("GET", url, "/twins").status == 200)
        }
        var options = WebOptions(connection: try clientConfiguration("mqtt://127.0.0.1:1"), topics: AlertServiceTests.topics, kinds: [:])
        options.host = "0.0.0.0"
        #expect(throws: WebConfigurationError.self, "beyond loopback without a token") { try WebServer(options: options, logger: testLogger) }
    }

    @Test("The spec describes these operations, no more and no fewer")
    func operations() async throws {
        let contract = try Self.contract.get()
        #expect(contract.operations == [
            "GET /twins", "GET \(Self.machineOperation)", "GET \(Self.machineOperation)/history", "POST \(Self.machineOperation)/commands",
            "PUT \(Self.machineOperation)/desired", "GET /layout", "GET /alerts", "POST /alerts/{site}/{area}/{line}/{machine}/{rule}/ack",
            "GET /kinds", "GET /kpi", "GET /events", "GET /health", "GET /floor.glb",
        ])
    }
}
