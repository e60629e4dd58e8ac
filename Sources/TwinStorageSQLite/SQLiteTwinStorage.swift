import Foundation
import GRDB
import Rules
import Synchronization
import TwinModel
import TwinStorage
import Twins

/// Twins in a SQLite file through GRDB, in WAL mode with `synchronous = NORMAL`: one row per twin, its record and its
/// rules' memories as JSON. Writes run on GRDB's writer queue, never on the caller's task; batches handed in side by
/// side are written one after the other.
public final class SQLiteTwinStorage: TwinStorage {
    private let pool: DatabasePool
    /// The database file.
    public let path: String
    private let closed = Atomic(false)

    /// Opens (or creates) the database at `path`; a database of an earlier version gains the rules column.
    /// - Throws: ``TwinStorageError/Code/cannotOpen``.
    public init(path: String) throws(TwinStorageError) {
        self.path = path
        var configuration = Configuration()
        // In WAL mode, NORMAL still survives a crash of the process (kill -9); only a power cut may lose the last
        // commits. FULL would wait for the disk on every alert, which goes out only once its twin is written.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write(Self.migrate)
        } catch let mismatch as SchemaMismatch {
            throw TwinStorageError(.cannotOpen, location: path, reason: mismatch.description)
        } catch {
            throw TwinStorageError(.cannotOpen, location: path, reason: "\(error)")
        }
    }

    /// A database whose `twins` table is not TwinHub's.
    private struct SchemaMismatch: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates the table, or brings one of an earlier version up to date.
    private static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS twins (
                id TEXT PRIMARY KEY NOT NULL,
                version INTEGER NOT NULL,
                record BLOB NOT NULL,
                saved_at REAL NOT NULL
            )
            """)
        let columns = Set(try db.columns(in: "twins").map(\.name))
        let required: Set = ["id", "version", "record", "saved_at"]
        guard columns.isSuperset(of: required) else {
            throw SchemaMismatch(description: "its table 'twins' has the columns \(columns.sorted().joined(separator: ", ")), not TwinHub's "
                                 + "(\(required.sorted().joined(separator: ", ")), rules): another program's database, or give another --db")
        }
        if !columns.contains("rules") {
            try db.execute(sql: "ALTER TABLE twins ADD COLUMN rules BLOB")
        }
    }

    public func loadAll() async throws(TwinStorageError) -> LoadedTwins {
        let rows: [(id: String, record: Data, rules: Data?)]
        do {
            try checkOpen()
            rows = try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, record, rules FROM twins ORDER BY id").map { row in
                    (id: row["id"], record: row["record"], rules: row["rules"])
                }
            }
        } catch {
            throw failure(.cannotLoad, error)
        }
        return StoredTwinJSON.load(rows)
    }

    /// A twin's row data (see ``StoredTwinJSON/encode(_:)``), as `Data`.
    public static func encode(_ twin: StoredTwin) -> (record: Data, rules: Data?)? {
        StoredTwinJSON.encode(twin).map { (Data($0.record), $0.rules.map { Data($0) }) }
    }

    /// Rows written in one transaction at most.
    static let rowsPerTransaction = 64

    /// Encodes the twins on the caller's task (so GRDB's writer queue only writes), then writes them in transactions
    /// of at most ``rowsPerTransaction`` rows.
    @discardableResult
    public func save(_ twins: [StoredTwin]) async throws(TwinStorageError) -> [String] {
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
        do {
            try checkOpen()
            // A large batch (the routine write of every changed twin) goes in transactions of a few rows: a small one
            // written meanwhile (an alert's twin, whose event waits for it) waits for one of them, not for them all.
            for start in stride(from: 0, to: rows.count, by: Self.rowsPerTransaction) {
                let part = rows[start..<min(start + Self.rowsPerTransaction, rows.count)]
                try await pool.write { db in
                    let statement = try db.makeStatement(sql: """
                        INSERT INTO twins (id, version, record, rules, saved_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET version = excluded.version, record = excluded.record, rules = excluded.rules,
                            saved_at = excluded.saved_at
                        """)
                    for (id, version, data, rules) in part {
                        try statement.execute(arguments: [id, version, data, rules, now])
                    }
                }
            }
        } catch {
            throw failure(.cannotSave, error)
        }
        return unencodable
    }

    /// Waits until the task is cancelled, then closes the database (SQLite checkpoints and removes its WAL file when
    /// the last connection closes).
    public func run() async throws {
        await waitUntilCancelled()
        closed.store(true, ordering: .sequentiallyConsistent)
        do {
            try pool.close()
        } catch {
            throw TwinStorageError(.cannotClose, location: path, reason: "\(error)")
        }
    }

    private func checkOpen() throws(TwinStorageError) {
        if closed.load(ordering: .sequentiallyConsistent) {
            throw TwinStorageError(.closed, location: path, reason: "the storage has stopped")
        }
    }

    /// `error` as this storage's error: its own as they are, the driver's under `code`.
    private func failure(_ code: TwinStorageError.Code, _ error: any Error) -> TwinStorageError {
        error as? TwinStorageError ?? TwinStorageError(code, location: path, reason: "\(error)")
    }
}
