import Foundation
import GRDB
import Rules
import TwinModel
import Twins

/// A twin as stored: its record and the memories of its rules (timers, windows, alerts), written
/// together so a restart neither loses nor repeats an alert.
public struct StoredTwin: Sendable {
    public var record: Twin.Record
    public var rules: MachineRules.Saved?

    public init(record: Twin.Record, rules: MachineRules.Saved? = nil) {
        self.record = record
        self.rules = rules
    }
}

/// Where twins are kept across restarts. Small on purpose, so a server database can take SQLite's place.
public protocol TwinStorage: Sendable {
    /// Every stored twin. Rows that cannot be read are skipped and reported, never fatal.
    func loadAll() throws -> (twins: [StoredTwin], unreadable: [String])
    /// Inserts or replaces these twins, all or none of those that can be encoded.
    /// - Returns: the twins that could not be encoded (skipped, so one cannot block the others).
    func save(_ twins: [StoredTwin]) throws -> [String]
}

/// Twins in a SQLite file through GRDB, in WAL mode with `synchronous = NORMAL`: one row per twin, its record and its rules' memories
/// as JSON.
public final class SQLiteTwinStorage: TwinStorage {
    private let pool: DatabasePool

    /// Opens (or creates) the database at `path`; a database of an earlier version gains the rules column.
    public init(path: String) throws {
        var configuration = Configuration()
        // In WAL mode, NORMAL still survives a crash of the process (kill -9); only a power cut may lose the last
        // commits. FULL would wait for the disk on every alert, which goes out only once its twin is written.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS twins (
                    id TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    record BLOB NOT NULL,
                    saved_at REAL NOT NULL
                )
                """)
            if try !db.columns(in: "twins").contains(where: { $0.name == "rules" }) {
                try db.execute(sql: "ALTER TABLE twins ADD COLUMN rules BLOB")
            }
        }
    }

    public func loadAll() throws -> (twins: [StoredTwin], unreadable: [String]) {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, record, rules FROM twins ORDER BY id") }
        let decoder = JSONDecoder()
        var twins: [StoredTwin] = []
        var unreadable: [String] = []
        for row in rows {
            let id: String = row["id"]
            let data: Data = row["record"]
            let rulesData: Data? = row["rules"]
            guard let record = try? decoder.decode(Twin.Record.self, from: data) else {
                unreadable.append(id)
                continue
            }
            var rules: MachineRules.Saved?
            if let rulesData {
                rules = try? decoder.decode(MachineRules.Saved.self, from: rulesData)
                if rules == nil { unreadable.append("\(id) (rules)") }
            }
            twins.append(StoredTwin(record: record, rules: rules))
        }
        return (twins, unreadable)
    }

    /// A twin's row data: its record and its rules' memories as JSON, or `nil` if either cannot be encoded. Written
    /// without building a tree first (several times faster than `JSONEncoder`); read back with `JSONDecoder`.
    public static func encode(_ twin: StoredTwin) -> (record: Data, rules: Data?)? {
        let encoder = StreamingJSONEncoder()
        guard let record = try? encoder.encode(twin.record) else { return nil }
        guard let saved = twin.rules else { return (Data(record), nil) }
        guard let rules = try? encoder.encode(saved) else { return nil }
        return (Data(record), Data(rules))
    }

    @discardableResult
    public func save(_ twins: [StoredTwin]) throws -> [String] {
        guard !twins.isEmpty else { return [] }
        var rows: [(String, Int64, Data, Data?)] = []
        var unencodable: [String] = []
        for twin in twins {
            guard let encoded = Self.encode(twin) else {
                unencodable.append(twin.record.address.description)
                continue
            }
            rows.append((twin.record.address.description, Int64(twin.record.version), encoded.record, encoded.rules))
        }
        let now = Date().timeIntervalSince1970
        try pool.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO twins (id, version, record, rules, saved_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET version = excluded.version, record = excluded.record, rules = excluded.rules,
                    saved_at = excluded.saved_at
                """)
            for (id, version, data, rules) in rows {
                try statement.execute(arguments: [id, version, data, rules, now])
            }
        }
        return unencodable
    }
}
