import Foundation
import SimulationRuntime
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinModel
import Rules
import ServiceLifecycle
import Twins
import TwinService
import TwinHubProtocol
import TwinStorage
import TwinStorageSQLite

@Suite("The twin service against a real broker and the simulator", .timeLimit(.minutes(1)))
struct TwinServiceTests {
    /// Runs the twin service and the two-machine fleet of ``SimulatorTests`` until `body` returns.
    static func withFactory(_ broker: MosquittoBroker, storage: (any TwinStorage)? = nil, fleet: Bool = true, _ body: @Sendable (TwinService) async throws -> Void) async throws {
        var options = try Self.options(broker)
        options.storage = storage
        let service = TwinService(options: options, logger: testLogger)
        let ready = FirstOutcome<Void>()
        let serving = Task { try await service.run { ready.resolve(.success(())) } }
        try await within(.seconds(10), "the service to subscribe") {
            try await withCheckedThrowingContinuation { ready.install($0) }
        }
        do {
            if fleet {
                _ = try await SimulatorTests.withFleet(broker, speed: 20) { _ in try await body(service) }
            } else {
                try await body(service)
            }
        } catch {
            serving.cancel()
            throw error
        }
        serving.cancel()
        try await serving.value
    }

    /// The service's options for the fleet of ``SimulatorTests`` on `broker`, with short intervals.
    static func options(_ broker: MosquittoBroker) throws -> TwinService.Options {
        let kinds = try KindLoader.loadDirectory(SimulatorTests.root.appendingPathComponent("twins").path)
        var options = TwinService.Options(connection: try clientConfiguration(broker.url, clientID: "serve"), topics: try TopicMap(root: "itest"), kinds: kinds.mapValues(\.interface))
        options.persistInterval = .milliseconds(200)
        options.snapshotInterval = .milliseconds(100)
        options.aggregateInterval = .milliseconds(500)
        options.commandRetry = .seconds(2)
        options.historyInterval = .milliseconds(500)
        return options
    }

    static func json(_ message: MQTTMessage) throws -> [String: Any] { try SimulatorTests.json(message) }

    /// Runs the fleet of ``SimulatorTests`` until a twin on `twins` has counters, then stops it: the twin's last change
    /// is the machine going offline.
    /// - Returns: the version of the twin that says it is offline.
    static func runFleetUntilOffline(_ broker: MosquittoBroker, twins: MQTTSubscription) async throws -> Int {
        _ = try await SimulatorTests.withFleet(broker, speed: 20) { _ in
            _ = try await within(.seconds(20), "a twin with counters") {
                for await message in twins where (try? Self.json(message))?["counters"] != nil { return }
            }
        }
        let last = try await within(.seconds(10), "the offline twin") { () -> MQTTMessage in
            for await message in twins where ((try? Self.json(message))?["connectivity"] as? [String: Any])?["status"] as? String == "offline" {
                return message
            }
            throw TimedOut(what: "twins ended")
        }
        return try #require(try Self.json(last)["version"] as? Int)
    }

    /// Runs `body` with the path of a new SQLite database and a broker; removes the database afterwards.
    static func withDatabase(_ body: (_ path: String, MosquittoBroker) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twins-\(UUID().uuidString.prefix(6)).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await MosquittoBroker.withBroker { broker in try await body(path, broker) }
    }

    /// `twinhub serve` of the fleet of ``SimulatorTests`` on `broker`, with its twins in `path`, logging what it does.
    static func serveArguments(_ broker: MosquittoBroker, database path: String) -> [String] {
        ["serve", "--root", "itest", "--broker", broker.url, "--db", path, "--twins", SimulatorTests.root.appendingPathComponent("twins").path,
         "--log-level", "info"]
    }

    /// The stored twin of the machine `name`.
    static func stored(_ name: String, in path: String) async throws -> Twin.Record? {
        try await SQLiteTwinStorage(path: path).loadAll().twins.map(\.record).first { $0.address.machine == name }
    }

    @Test("Twin snapshots carry reported properties, state, connectivity and KPIs; aggregates and metrics are retained")
    func snapshots() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            let line = try await observer.subscribe(to: ["itest/site/area/line/kpi"])
            let histories = try await observer.subscribe(to: ["itest/site/area/line/cnc/history"])
            try await Self.withFactory(broker) { _ in
                let snapshot = try Self.json(try await within(.seconds(15), "a running cnc twin with counters") { () -> MQTTMessage in
                    for await message in twins {
                        let twin = try Self.json(message)
                        if (twin["state"] as? [String: Any])?["value"] as? String == "running", twin["counters"] != nil { return message }
                    }
                    throw TimedOut(what: "twins ended")
                })
                #expect(snapshot["kind"] as? String == "cnc_machining_centre")
                let speed = try #require((snapshot["reported"] as? [String: [String: Any]])?["spindle_speed"])
                #expect(speed["unit"] as? String == "rpm")
                #expect(["good", "out_of_range"].contains(speed["quality"] as? String ?? ""))
                #expect((snapshot["connectivity"] as? [String: Any])?["status"] as? String == "online")
                let kpi = try #require(snapshot["kpi"] as? [String: Any])
                #expect((kpi["shift"] as? [String: Any])?["availability"] != nil)
                let history = try Self.json(try await histories.next()[0])
                let speeds = try #require((history["properties"] as? [String: [String: Any]])?["spindle_speed"])
                #expect((speeds["values"] as? [Any])?.isEmpty == false)
                #expect((speeds["values"] as? [Any])?.count == (speeds["offsets_s"] as? [Any])?.count)
                let aggregate = try Self.json(try await line.next()[0])
                #expect(aggregate["machines"] as? Int == 2)
                #expect(aggregate["line"] as? String == "line")
            }
            let metrics = try await observer.subscribe(to: ["itest/_twinhub/metrics"])
            let figures = try Self.json(try await metrics.next()[0])
            #expect((figures["messages_in"] as? Int ?? 0) > 0)
            #expect(figures["twins"] as? Int == 2)
            let lag = try #require(figures["lag_ms"] as? [String: Any])
            #expect(JSONValue.number(lag["max"]).map { $0 >= 0 } == true)
            await observer.disconnect()
        }
    }

    @Test("After a restart every twin comes back from storage and is published again")
    func restartRecovery() async throws {
        try await Self.withDatabase { path, broker in
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            let seen = FirstOutcome<MQTTMessage>()
            try await Self.withFactory(broker, storage: try SQLiteTwinStorage(path: path)) { _ in
                let message = try await within(.seconds(30), "a cnc twin with counters, before the restart") { () -> MQTTMessage in
                    for await message in twins where (try? Self.json(message))?["counters"] != nil { return message }
                    throw TimedOut(what: "twins ended")
                }
                seen.resolve(.success(message))
            }
            let before = try await withCheckedThrowingContinuation { seen.install($0) }
            let counted = try #require(try Self.json(before)["counters"] as? [String: Any])["total"] as? Int
            // A new service on the same database, with no fleet running: only storage can tell it about the cnc.
            try await Self.withFactory(broker, storage: try SQLiteTwinStorage(path: path), fleet: false) { service in
                #expect(service.store.twins.count == 2)
                let republished = try await within(.seconds(10), "the restored twin") { () -> MQTTMessage in
                    for await message in twins where !message.retain { return message }
                    throw TimedOut(what: "twins ended")
                }
                let twin = try Self.json(republished)
                #expect(((twin["counters"] as? [String: Any])?["total"] as? Int ?? 0) >= counted ?? 1)
                #expect((twin["kpi"] as? [String: Any])?["seconds_in_state"] != nil, "KPI accumulators are back")
            }
            await observer.disconnect()
        }
    }

    @Test("After kill -9 of twinhub serve, at most the last write interval is lost")
    func killNine() async throws {
        try await Self.withDatabase { path, broker in
            let arguments = Self.serveArguments(broker, database: path)
            let first = try ProcessRunner(arguments)
            try await first.awaitStderr(containing: "serving itest/")
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            // Wait until the offline twin's version is on disk (the service writes every second), then kill the
            // service outright.
            let version = try await Self.runFleetUntilOffline(broker, twins: twins)
            try await within(.seconds(10), "version \(version) on disk") {
                while true {
                    if let stored = try await Self.stored("cnc", in: path), stored.version >= UInt64(version) { return }
                    try await Task.sleep(for: .milliseconds(50))  // the database is another process's: poll it
                }
            }
            first.kill(SIGKILL)
            _ = try await first.exitStatus()

            let second = try ProcessRunner(arguments)
            try await second.awaitStderr(containing: "restored 2 twins")
            let republished = try await within(.seconds(10), "the restored twin") { () -> MQTTMessage in
                for await message in twins where !message.retain { return message }
                throw TimedOut(what: "twins ended")
            }
            let twin = try Self.json(republished)
            #expect(twin["version"] as? Int == version, "nothing lost: the version on disk before the kill")
            #expect((twin["connectivity"] as? [String: Any])?["status"] as? String == "offline")
            second.kill(SIGINT)
            #expect(try await second.exitStatus() == 0)
            await observer.disconnect()
        }
    }

    @Test("SIGTERM or SIGHUP stops twinhub serve cleanly, with every twin written", arguments: [SIGTERM, SIGHUP])
    func signalStopsCleanly(signal: Int32) async throws {
        try await Self.withDatabase { path, broker in
            let serve = try ProcessRunner(Self.serveArguments(broker, database: path))
            try await serve.awaitStderr(containing: "serving itest/")
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            let version = try await Self.runFleetUntilOffline(broker, twins: twins)
            serve.kill(signal)
            #expect(try await serve.exitStatus() == 0, "a clean stop: \(serve.stderr)")
            #expect(serve.stderr.contains("twin service stopping"), "\(serve.stderr)")
            let stored = try #require(try await Self.stored("cnc", in: path), "the twin is in the database")
            #expect(stored.version >= UInt64(version), "the twin as last published, or later")
            #expect(stored.connectivity.status == .offline)
            await observer.disconnect()
        }
    }

    @Test("In a ServiceGroup, a graceful shutdown stops the service, which writes every twin not yet written")
    func gracefulShutdownWritesTwins() async throws {
        try await Self.withDatabase { path, broker in
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            var options = try Self.options(broker)
            options.storage = try SQLiteTwinStorage(path: path)
            options.persistInterval = .seconds(3600)  // only the stop writes
            let ready = FirstOutcome<Void>()
            let runner = TwinService.Runner(TwinService(options: options, logger: testLogger)) { ready.resolve(.success(())) }
            let group = ServiceGroup(services: [runner], logger: testLogger)
            let running = Task { try await group.run() }
            try await within(.seconds(10), "the service to subscribe") {
                try await withCheckedThrowingContinuation { ready.install($0) }
            }
            let version = try await Self.runFleetUntilOffline(broker, twins: twins)
            #expect(try await SQLiteTwinStorage(path: path).loadAll().twins.isEmpty, "nothing written before the stop")
            await group.triggerGracefulShutdown()
            try await running.value
            let stored = try #require(try await Self.stored("cnc", in: path), "the twin is in the database")
            #expect(stored.version == UInt64(version))
            #expect(stored.connectivity.status == .offline)
            #expect(try await SQLiteTwinStorage(path: path).loadAll().twins.count == 2, "both machines' twins")
            await observer.disconnect()
        }
    }

    @Test("Desired state → delta → command → reported: the service stops a machine and clears the delta")
    func desiredRoundTrip() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: ["itest/site/area/line/loom/twin"])
            let commands = try await observer.subscribe(to: ["itest/site/area/line/loom/cmd"])
            try await Self.withFactory(broker) { _ in
                _ = try await within(.seconds(15), "the loom running") {
                    for await message in twins where ((try? Self.json(message))?["state"] as? [String: Any])?["value"] as? String == "running" { return }
                }
                try await observer.publish(to: "itest/site/area/line/loom/desired", string: #"{"state":"stopped"}"#, qos: .atLeastOnce)
                #expect(try Self.json(try await commands.next()[0])["command"] as? String == "stop", "the delta becomes a command")
                let synced = try Self.json(try await within(.seconds(15), "the twin reporting stopped without a desired state") { () -> MQTTMessage in
                    for await message in twins {
                        let twin = try Self.json(message)
                        if (twin["state"] as? [String: Any])?["value"] as? String == "stopped", twin["desired"] == nil { return message }
                    }
                    throw TimedOut(what: "twins ended")
                })
                #expect((synced["state"] as? [String: Any])?["reason"] as? String == "command stop")
            }
            await observer.disconnect()
        }
    }

    @Test("Bad input goes to the dead-letter topic with its reason; the twin is untouched; a last will makes the twin offline")
    func badInputAndLastWill() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let letters = try await observer.subscribe(to: ["itest/_deadletter/#"])
            let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
            try await Self.withFactory(broker) { service in
                _ = try await twins.next()
                try await observer.publish(to: "itest/site/area/line/cnc/telemetry", string: #"{"ts":"2026-03-02T06:00:00.000Z","seq":999999,"machine":"cnc","kind":"cnc_machining_centre","values":{"spindle_speed":{"value":1e999,"unit":"rpm"}}}"#, qos: .atLeastOnce)
                let letter = try await letters.next()[0]
                #expect(letter.topic == "itest/_deadletter/non_finite")
                #expect(try Self.json(letter)["topic"] as? String == "itest/site/area/line/cnc/telemetry")
                #expect(service.store.statistics.decodeErrors[.nonFinite] == 1)

                try await observer.publish(to: "itest/site/area/line/cnc/cmd", string: #"{"command":"inject_fault","fault":"network_loss","duration":"120s"}"#, qos: .atLeastOnce)
                let offline = try Self.json(try await within(.seconds(15), "the twin offline by last will") { () -> MQTTMessage in
                    for await message in twins {
                        let twin = try Self.json(message)
                        if (twin["connectivity"] as? [String: Any])?["status"] as? String == "offline" { return message }
                    }
                    throw TimedOut(what: "twins ended")
                })
                #expect((offline["connectivity"] as? [String: Any])?["reason"] as? String == "connection lost")
            }
            await observer.disconnect()
        }
    }
}
