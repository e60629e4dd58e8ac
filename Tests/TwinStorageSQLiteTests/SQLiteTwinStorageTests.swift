import Foundation
import GRDB
import Rules
import Testing
import TwinModel
import TwinStorage
import TwinStorageSQLite
import Twins

@Suite("SQLite twin storage against a temporary file")
struct SQLiteTwinStorageTests {
    /// A database path in the temporary folder, removed (with its WAL files) after `body`.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twins-\(UUID().uuidString.prefix(8)).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await body(path)
    }

    static let machine = PlantPath(site: "s", area: "a", line: "l", machine: "m")

    static func twin(states: Int) -> Twin {
        var twin = Twin(address: machine, kind: nil)
        for step in 0..<states {
            _ = twin.apply(StateChange(time: Date(timeIntervalSince1970: 1_772_431_200 + Double(step) * 60), sequence: UInt64(step + 1),
                                       state: step.isMultiple(of: 2) ? .running : .held, previous: .idle, reason: "r"), received: Date())
        }
        return twin
    }

    @Test("Saved twins load back whole, one row per twin (the latest), with their rules' memories")
    func roundTrip() async throws {
        try await Self.withDatabase { path in
            let storage = try SQLiteTwinStorage(path: path)
            try await storage.save([StoredTwin(record: Self.twin(states: 1).record)])
            let latest = Self.twin(states: 2)
            let memory = RuleMemory()
            try await storage.save([StoredTwin(record: latest.record, rules: ["hot": memory])])
            let loaded = try await SQLiteTwinStorage(path: path).loadAll()
            #expect(loaded.twins == [StoredTwin(record: latest.record, rules: ["hot": memory])])
            #expect(loaded.unreadable.isEmpty)
        }
    }

    @Test("A row that cannot be read is reported by id and skipped; one whose rules cannot be read keeps its record")
    func unreadableRows() async throws {
        try await Self.withDatabase { path in
            let storage = try SQLiteTwinStorage(path: path)
            let record = Self.twin(states: 1).record
            try await storage.save([StoredTwin(record: record)])
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO twins (id, version, record, rules, saved_at) VALUES ('x/y/z/broken', 1, ?, NULL, 0)",
                               arguments: [Data("{not json".utf8)])
                try db.execute(sql: "UPDATE twins SET rules = ? WHERE id = ?", arguments: [Data("[1]".utf8), Self.machine.description])
            }
            try queue.close()
            let loaded = try await storage.loadAll()
            #expect(loaded.twins == [StoredTwin(record: record, rules: nil)])
            #expect(loaded.unreadable.sorted() == ["\(Self.machine) (rules)", "x/y/z/broken"])
        }
    }

    @Test("A database of an earlier version (no rules column) is upgraded: its rows load, and rules can be saved")
    func earlierSchema() async throws {
        try await Self.withDatabase { path in
            let record = Self.twin(states: 3).record
            let data = try #require(SQLiteTwinStorage.encode(StoredTwin(record: record))?.record)
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE twins (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, record BLOB NOT NULL, saved_at REAL NOT NULL)")
                try db.execute(sql: "INSERT INTO twins (id, version, record, saved_at) VALUES (?, ?, ?, 0)",
                               arguments: [record.address.description, Int64(record.version), data])
            }
            try queue.close()

            let storage = try SQLiteTwinStorage(path: path)
            #expect(try await storage.loadAll().twins == [StoredTwin(record: record)])
            try await storage.save([StoredTwin(record: record, rules: ["hot": RuleMemory()])])
            #expect(try await storage.loadAll().twins.first?.rules == ["hot": RuleMemory()])
        }
    }

    @Test("A database whose twins table is another program's is refused at opening, naming the file and the columns, and left as it was")
    func anotherSchema() async throws {
        try await Self.withDatabase { path in
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: "CREATE TABLE twins (name TEXT, colour TEXT)") }
            try queue.close()
            let error = #expect(throws: TwinStorageError.self) { try SQLiteTwinStorage(path: path) }
            #expect(error?.code == .cannotOpen && error?.location == path)
            #expect(error?.reason.contains("has the columns colour, name, not TwinHub's") == true, "\(String(describing: error))")
            let columns = try await DatabaseQueue(path: path).read { db in try db.columns(in: "twins").map(\.name) }
            #expect(columns == ["name", "colour"], "nothing added to someone else's table")
        }
    }

    @Test("A database that cannot be opened is an error that names it")
    func cannotOpen() {
        let path = "/nonexistent-\(UUID().uuidString)/twins.sqlite"
        #expect { try SQLiteTwinStorage(path: path) } throws: { error in
            (error as? TwinStorageError)?.code == .cannotOpen && (error as? TwinStorageError)?.location == path
        }
    }

    @Test("run() serves until cancelled, then closes: later calls throw closed")
    func runUntilCancelled() async throws {
        try await Self.withDatabase { path in
            let storage = try SQLiteTwinStorage(path: path)
            let running = Task { try await storage.run() }
            try await storage.save([StoredTwin(record: Self.twin(states: 1).record)])
            running.cancel()
            try await running.value
            await #expect { try await storage.loadAll() } throws: { error in (error as? TwinStorageError)?.code == .closed }
            #expect(try await SQLiteTwinStorage(path: path).loadAll().twins.count == 1, "what was saved stays")
        }
    }
}
