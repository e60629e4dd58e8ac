import Foundation
import Logging
import NIOCore
import PostgresNIO
import Rules
import Synchronization
import TwinModel
import TwinStorage
import Twins

/// Twins in a PostgreSQL database through postgres-nio: one row per twin in the table `twins`, its record and its
/// rules' memories as the same JSON the SQLite store keeps (`bytea`), so several twin-service instances can share one
/// store. The schema is brought up to date at ``open(_:logger:)``; a lost connection is retried by the client's pool,
/// and a save that fails meanwhile throws, so the service writes those twins again with its next batch.
public final class PostgresTwinStorage: TwinStorage {
    /// The schema this build creates and reads.
    public static let schemaVersion = 2
    /// Rows written in one statement at most: a small batch written meanwhile (an alert's twin) waits for one.
    static let rowsPerStatement = 64

    let client: PostgresClient
    private let running: Task<Void, Never>
    /// How long a save may wait for the server before it fails (the service then writes those twins again later).
    let saveTimeout: Duration
    let logger: Logger
    private let closed = Atomic(false)
    /// The instance whose leases a twin's line must be held by for the twin to be written; `nil` writes every twin.
    private let fence = Mutex<String?>(nil)
    /// The server and database, without the password.
    public let location: String

    private init(client: PostgresClient, running: Task<Void, Never>, location: String, logger: Logger, saveTimeout: Duration) {
        self.client = client
        self.saveTimeout = saveTimeout
        self.running = running
        self.location = location
        self.logger = logger
    }

    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`, `?sslmode=disable` or
    /// `require`) and brings its schema up to date, waiting at most `timeout` for the server.
    /// - Throws: ``TwinStorageError/Code/cannotOpen`` saying where and why (a bad URL, no server, a schema of another
    ///   program or of a later TwinHub).
    public static func open(_ url: String, logger: Logger, timeout: Duration = .seconds(15)) async throws(TwinStorageError) -> PostgresTwinStorage {
        let address: PostgresAddress
        do {
            address = try PostgresAddress(url)
        } catch {
            throw TwinStorageError(.cannotOpen, location: url, reason: error.description)
        }
        let client = PostgresClient(configuration: address.configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        let storage = PostgresTwinStorage(client: client, running: running, location: address.description, logger: logger, saveTimeout: timeout)
        do {
            try await within(timeout) { try await storage.migrate() }
        } catch {
            running.cancel()
            throw TwinStorageError(.cannotOpen, location: address.description, reason: Self.reason(error))
        }
        return storage
    }

    /// Runs `body`, or throws ``NoConnection`` once `timeout` has passed: the client's pool retries a refused
    /// connection for ever, and a query waits for one.
    static func within(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(operation: body)
            group.addTask {
                try await Task.sleep(for: timeout)
                throw NoConnection(timeout: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// No connection came within the time a call waits.
    private struct NoConnection: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "no connection within \(String(format: "%g", timeout.secondsValue)) s: is the server running and does it take connections there?" }
    }

    /// Creates the tables, or checks those of an earlier run (schema 1 had no lease tables: they are added).
    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // One instance at a time: several starting together would otherwise race to create the tables.
            try await connection.query("SELECT pg_advisory_xact_lock(7412025)", logger: self.logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS twinhub_schema (version INTEGER NOT NULL)", logger: self.logger)
            var found: Int?
            for try await version in try await connection.query("SELECT max(version) FROM twinhub_schema", logger: self.logger).decode(Int?.self) {
                found = version
            }
            if let found, found > Self.schemaVersion {
                throw SchemaMismatch(description: "the database has TwinHub's schema \(found), newer than this twinhub's \(Self.schemaVersion)")
            }
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS twins (
                    id TEXT PRIMARY KEY NOT NULL,
                    version BIGINT NOT NULL,
                    record BYTEA NOT NULL,
                    rules BYTEA,
                    saved_at DOUBLE PRECISION NOT NULL
                )
                """, logger: self.logger)
            var columns: Set<String> = []
            for try await name in try await connection.query("""
                SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'twins'
                """, logger: self.logger).decode(String.self) {
                columns.insert(name)
            }
            let required: Set = ["id", "version", "record", "rules", "saved_at"]
            guard columns.isSuperset(of: required) else {
                throw SchemaMismatch(description: "its table 'twins' has the columns \(columns.sorted().joined(separator: ", ")), not TwinHub's "
                                     + "(\(required.sorted().joined(separator: ", "))): another program's table, or give another database")
            }
            try await Self.createLeaseTables(connection, logger: self.logger)
            if found == nil {
                try await connection.query("INSERT INTO twinhub_schema (version) VALUES (\(Self.schemaVersion))", logger: self.logger)
            } else if let found, found < Self.schemaVersion {
                try await connection.query("UPDATE twinhub_schema SET version = \(Self.schemaVersion)", logger: self.logger)
            }
        }
    }

    /// A database whose tables are not this TwinHub's.
    private struct SchemaMismatch: Error, CustomStringConvertible {
        var description: String
    }

    public func loadAll() async throws(TwinStorageError) -> LoadedTwins {
        try await load("SELECT id, record, rules FROM twins ORDER BY id")
    }

    /// The twins under `prefixes`: rows whose id starts with a prefix's path and a slash.
    public func load(under prefixes: [PlantPath]) async throws(TwinStorageError) -> LoadedTwins {
        let starts = prefixes.map { "\($0)/" }
        return try await load("""
            SELECT id, record, rules FROM twins WHERE EXISTS (SELECT 1 FROM unnest(\(starts)::text[]) AS p(s) WHERE starts_with(twins.id, p.s))
            ORDER BY id
            """)
    }

    /// The twins of the rows `query` selects (id, record, rules).
    private func load(_ query: PostgresQuery) async throws(TwinStorageError) -> LoadedTwins {
        var rows: [(id: String, record: ByteBuffer, rules: ByteBuffer?)] = []
        do {
            try checkOpen()
            let result = try await client.query(query, logger: logger)
            for try await (id, record, rules) in result.decode((String, ByteBuffer, ByteBuffer?).self) {
                rows.append((id, record, rules))
            }
        } catch {
            throw failure(.cannotLoad, error)
        }
        return StoredTwinJSON.load(rows.map { ($0.id, Data(buffer: $0.record), $0.rules.map { Data(buffer: $0) }) })
    }

    @discardableResult
    public func save(_ twins: [StoredTwin]) async throws(TwinStorageError) -> [String] {
        guard !twins.isEmpty else { return [] }
        var ids: [String] = [], versions: [Int64] = [], records: [ByteBuffer] = [], rules: [ByteBuffer] = []
        var unencodable: [String] = []
        for twin in twins {
            guard let encoded = StoredTwinJSON.encode(twin) else {
                unencodable.append(twin.record.address.description)
                continue
            }
            ids.append(twin.record.address.description)
            versions.append(Int64(truncatingIfNeeded: twin.record.version))
            records.append(ByteBuffer(bytes: encoded.record))
            // Arrays cannot hold NULL here: an empty value stands for none, and the statement turns it back.
            rules.append(ByteBuffer(bytes: encoded.rules ?? []))
        }
        let now = Date().timeIntervalSince1970
        let writer = fence.withLock { $0 }
        var fenced: [String] = []
        do {
            try checkOpen()
            for start in stride(from: 0, to: ids.count, by: Self.rowsPerStatement) {
                let end = min(start + Self.rowsPerStatement, ids.count)
                let (partIDs, partVersions, partRecords, partRules) = (Array(ids[start..<end]), Array(versions[start..<end]),
                                                                         Array(records[start..<end]), Array(rules[start..<end]))
                let (client, logger) = (client, logger)
                let written = Mutex<Set<String>>([])
                // With a fence, a twin is written only while its line's lease is the writer's, the lease row locked
                // meanwhile: an instance taking the line over reads it after this write, never before.
                try await Self.within(saveTimeout) {
                    let rows = try await client.query("""
                        INSERT INTO twins (id, version, record, rules, saved_at)
                        SELECT i, v, r, NULLIF(m, ''::bytea), \(now)
                        FROM unnest(\(partIDs)::text[], \(partVersions)::int8[], \(partRecords)::bytea[], \(partRules)::bytea[]) AS t(i, v, r, m)
                        WHERE \(writer)::text IS NULL OR EXISTS (SELECT 1 FROM twinhub_leases AS l
                            WHERE l.unit = regexp_replace(t.i, '/[^/]*$', '') AND l.owner = \(writer)::text FOR SHARE)
                        ON CONFLICT (id) DO UPDATE SET version = excluded.version, record = excluded.record, rules = excluded.rules,
                            saved_at = excluded.saved_at
                        RETURNING id
                        """, logger: logger)
                    for try await id in rows.decode(String.self) { written.withLock { _ = $0.insert(id) } }
                }
                let stored = written.withLock { $0 }
                fenced += partIDs.filter { !stored.contains($0) }
            }
        } catch {
            throw failure(.cannotSave, error)
        }
        if !fenced.isEmpty {
            logger.warning("\(fenced.count) twins not written: their lines are no longer this instance's (\(fenced.prefix(5).joined(separator: ", ")))")
        }
        return unencodable
    }

    /// Waits until the task is cancelled, then closes the client's connections.
    public func run() async throws {
        await waitUntilCancelled()
        closed.store(true, ordering: .sequentiallyConsistent)
        running.cancel()
        await running.value
    }

    /// From now on a twin is written only while its line's lease is `instance`'s (see ``LeaseStore``): an instance
    /// that lost a line, paused past its lease, cannot write over what the line's new owner wrote.
    public func fenceWrites(to instance: String) {
        fence.withLock { $0 = instance }
    }

    /// Runs one SQL statement as it is: for tests that set up a database by hand.
    func execute(_ sql: String) async throws {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    func checkOpen() throws(TwinStorageError) {
        if closed.load(ordering: .sequentiallyConsistent) {
            throw TwinStorageError(.closed, location: location, reason: "the storage has stopped")
        }
    }

    /// `error` as this storage's error: its own as they are, the driver's under `code` in words.
    func failure(_ code: TwinStorageError.Code, _ error: any Error) -> TwinStorageError {
        error as? TwinStorageError ?? TwinStorageError(code, location: location, reason: Self.reason(error))
    }

    /// The server's message where it sent one, else the error's own words.
    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            return "\(psql.code)\(psql.underlying.map { ": \($0)" } ?? "")"
        }
        return "\(error)"
    }
}
