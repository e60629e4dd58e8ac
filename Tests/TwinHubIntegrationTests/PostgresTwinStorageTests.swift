import Foundation
import TwinHubBroker
import TwinHubMQTT
import Rules
import Testing
import TwinModel
import TwinStorage
@testable import TwinStoragePostgres
import Twins

/// The PostgreSQL twin store against a real server the test starts.
@Suite("PostgreSQL twin storage", .timeLimit(.minutes(2)))
struct PostgresTwinStorageTests {
    static let machine = PlantPath(site: "s", area: "a", line: "l", machine: "m")

    static func twin(_ machine: PlantPath = machine, states: Int) -> Twin {
        var twin = Twin(address: machine, kind: nil)
        for step in 0..<states {
            _ = twin.apply(StateChange(time: Date(timeIntervalSince1970: 1_772_431_200 + Double(step) * 60), sequence: UInt64(step + 1),
                                       state: step.isMultiple(of: 2) ? .running : .held, previous: .idle, reason: "r"), received: Date())
        }
        return twin
    }

    @Test("Saved twins load back whole, one row per twin (the latest), with their rules' memories, also in another process's storage; a batch larger than a statement is written whole")
    func roundTrip() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            try await storage.save([StoredTwin(record: Self.twin(states: 1).record)])
            let latest = Self.twin(states: 2)
            let memory = RuleMemory()
            try await storage.save([StoredTwin(record: latest.record, rules: ["hot": memory])])
            let many = (0..<150).map { StoredTwin(record: Self.twin(PlantPath(site: "s", area: "a", line: "l", machine: "m\($0)"), states: 1).record) }
            try await storage.save(many)
            let other = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            let loaded = try await other.loadAll()
            #expect(loaded.twins.count == 151)
            #expect(loaded.twins.first { $0.record.address == Self.machine } == StoredTwin(record: latest.record, rules: ["hot": memory]))
            #expect(loaded.unreadable.isEmpty)
        }
    }

    @Test("A database whose server is not there, or a bad URL, is refused at opening, saying where and why (no password shown)")
    func cannotOpen() async throws {
        let port = try FreePort.pick()
        let absent = await #expect(throws: TwinStorageError.self) {
            try await PostgresTwinStorage.open("postgres://twinhub:secret@127.0.0.1:\(port)/postgres", logger: testLogger, timeout: .seconds(2))
        }
        #expect(absent?.code == .cannotOpen && absent?.location == "postgres://twinhub@127.0.0.1:\(port)/postgres", "\(String(describing: absent))")
        #expect(absent?.description.contains("secret") == false)
        #expect(absent?.reason.contains("no connection within 2 s") == true, "\(String(describing: absent))")
        let bad = await #expect(throws: TwinStorageError.self) { try await PostgresTwinStorage.open("postgres://127.0.0.1/x", logger: testLogger) }
        #expect(bad?.reason.contains("names no user") == true, "\(String(describing: bad))")
    }

    @Test("A table 'twins' of another program is refused at opening, naming its columns")
    func anotherSchema() async throws {
        try await PostgresServer.withServer { server in
            let first = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            try await first.execute("DROP TABLE twins")
            try await first.execute("CREATE TABLE twins (name TEXT)")
            let refused = await #expect(throws: TwinStorageError.self) { try await PostgresTwinStorage.open(server.url, logger: testLogger) }
            #expect(refused?.code == .cannotOpen && refused?.reason.contains("another program's table") == true, "\(String(describing: refused))")
        }
    }

    @Test("A row that cannot be read is reported by id and skipped; one whose rules cannot be read keeps its record")
    func unreadableRows() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            let record = Self.twin(states: 1).record
            try await storage.save([StoredTwin(record: record)])
            try await storage.execute(#"INSERT INTO twins (id, version, record, rules, saved_at) VALUES ('x/y/z/broken', 1, '\x7b6e6f74'::bytea, NULL, 0)"#)
            try await storage.execute(#"UPDATE twins SET rules = '\x5b315d'::bytea WHERE id = '\#(Self.machine)'"#)
            let loaded = try await storage.loadAll()
            #expect(loaded.twins == [StoredTwin(record: record, rules: nil)])
            #expect(loaded.unreadable.sorted() == ["\(Self.machine) (rules)", "x/y/z/broken"])
        }
    }

    @Test("While the server is down a save fails with cannot_save (the service writes those twins again); once it is back, saves and loads work again on the same storage")
    func serverRestart() async throws {
        try await PostgresServer.withServer { server in
            // A short timeout, for the save while the server is down; on a loaded machine the fresh server may take longer
            // than that to take a first connection.
            let storage = try await within(.seconds(30), "the storage opened") {
                while true {
                    do {
                        return try await PostgresTwinStorage.open(server.url, logger: testLogger, timeout: .seconds(3))
                    } catch {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            try await storage.save([StoredTwin(record: Self.twin(states: 1).record)])
            let second = Self.twin(states: 2).record
            try await server.stop()
            let failed = await #expect(throws: TwinStorageError.self) { try await storage.save([StoredTwin(record: second)]) }
            #expect(failed?.code == .cannotSave && failed?.reason.contains("no connection within 3 s") == true, "\(String(describing: failed))")
            try await server.start()
            try await within(.seconds(30), "a save after the restart") {
                while true {
                    do {
                        try await storage.save([StoredTwin(record: second)])
                        return
                    } catch {
                        try await Task.sleep(for: .milliseconds(200))  // the client's pool reconnects by itself
                    }
                }
            }
            #expect(try await storage.loadAll().twins.map(\.record) == [second])
        }
    }

    @Test("run() serves until cancelled, then closes: later calls throw closed; what was saved stays")
    func runUntilCancelled() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            let running = Task { try await storage.run() }
            try await storage.save([StoredTwin(record: Self.twin(states: 1).record)])
            running.cancel()
            try await running.value
            await #expect { try await storage.loadAll() } throws: { error in (error as? TwinStorageError)?.code == .closed }
            #expect(try await PostgresTwinStorage.open(server.url, logger: testLogger).loadAll().twins.count == 1)
        }
    }
}

extension PostgresTwinStorageTests {
    @Test("twinhub serve --db postgres://… keeps its twins there: after a clean stop they are in the database, and a new service on it publishes them again")
    func serveOnPostgres() async throws {
        try await PostgresServer.withServer { server in
            try await MosquittoBroker.withBroker { broker in
                let observer = try await connectedClient(broker.url)
                let twins = try await observer.subscribe(to: ["itest/site/area/line/cnc/twin"])
                let serve = try ProcessRunner(TwinServiceTests.serveArguments(broker, database: server.url))
                try await serve.awaitStderr(containing: "twins kept in postgres://twinhub@127.0.0.1:\(server.port)/postgres")
                var machine = try await AlertServiceTests.PlayedMachine(broker)
                try await machine.send(temperature: 40, samples: 1)
                _ = try await twins.next(1, within: .seconds(20))
                serve.kill(SIGTERM)
                #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
                let stored = try await PostgresTwinStorage.open(server.url, logger: testLogger).loadAll()
                #expect(stored.twins.map(\.record.address.description) == ["site/area/line/cnc"])

                let again = try ProcessRunner(TwinServiceTests.serveArguments(broker, database: server.url))
                let republished = try await within(.seconds(20), "the twin published again from PostgreSQL") { () -> MQTTMessage in
                    for await message in twins where !message.retain { return message }
                    throw TimedOut(what: "twins ended")
                }
                #expect(republished.topic == "itest/site/area/line/cnc/twin")
                again.kill(SIGTERM)
                _ = try await again.exitStatus()
                await observer.disconnect()
            }
        }
    }
}
