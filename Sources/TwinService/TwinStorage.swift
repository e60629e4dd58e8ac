import Foundation
import GRDB
import Twins

/// Where twins are kept across restarts. Small on purpose, so a server database can take SQLite's place.
public protocol TwinStorage: Sendable {
    /// Every stored twin. Records that cannot be read are skipped and reported, never fatal.
    func loadAll() throws -> (records: [Twin.Record], unreadable: [String])
    /// Inserts or replaces these twins, all or none of those that can be encoded.
    /// - Returns: the twins that could not be encoded (skipped, so one cannot block the others).
    func save(_ records: [Twin.Record]) throws -> [String]
}

/// Twins in a SQLite file through GRDB, in WAL mode: one row per twin, its record as JSON.
public final class SQLiteTwinStorage: TwinStorage {
    private let pool: DatabasePool

    /// Opens (or creates) the database at `path`.
    public init(path: String) throws {
        pool = try DatabasePool(path: path)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS twins (
                    id TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    record BLOB NOT NULL,
                    saved_at REAL NOT NULL
                )
                """)
        }
    }

    public func loadAll() throws -> (records: [Twin.Record], unreadable: [String]) {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, record FROM twins ORDER BY id") }
        let decoder = JSONDecoder()
        var records: [Twin.Record] = []
        var unreadable: [String] = []
        for row in rows {
            let id: String = row["id"]
            let data: Data = row["record"]
            if let record = try? decoder.decode(Twin.Record.self, from: data) {
                records.append(record)
            } else {
                unreadable.append(id)
            }
        }
        return (records, unreadable)
    }

    @discardableResult
    public func save(_ records: [Twin.Record]) throws -> [String] {
        guard !records.isEmpty else { return [] }
        let encoder = JSONEncoder()
        var rows: [(String, Int64, Data)] = []
        var unencodable: [String] = []
        for record in records {
            if let data = try? encoder.encode(record) {
                rows.append((record.address.description, Int64(record.version), data))
            } else {
                unencodable.append(record.address.description)
            }
        }
        let now = Date().timeIntervalSince1970
        try pool.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO twins (id, version, record, saved_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET version = excluded.version, record = excluded.record, saved_at = excluded.saved_at
                """)
            for (id, version, data) in rows {
                try statement.execute(arguments: [id, version, data, now])
            }
        }
        return unencodable
    }
}
