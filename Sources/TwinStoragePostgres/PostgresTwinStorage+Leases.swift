import Foundation
import Logging
import PostgresNIO
import Synchronization
import TwinModel
import TwinPartition
import TwinStorage

/// Heartbeats and leases in two tables beside the twins: `twinhub_instances` (an instance's heartbeat, until its
/// expiry) and `twinhub_leases` (a unit's owner, until its expiry; the catalogue of units). Every expiry is set and
/// judged by the server's clock (`now()`), so the instances' clocks never matter. A unit changes hands only by a
/// conditional `UPDATE … WHERE` (free, lapsed or the taker's own): PostgreSQL locks the row and checks the condition
/// again on the latest version, so of two instances racing for a unit one takes it and the other gets nothing back.
extension PostgresTwinStorage: LeaseStore {
    /// Creates the lease tables (schema 2), and puts the lines of the stored twins in the catalogue.
    static func createLeaseTables(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS twinhub_instances (
                id TEXT PRIMARY KEY NOT NULL,
                expires TIMESTAMPTZ NOT NULL,
                started TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS twinhub_leases (
                unit TEXT PRIMARY KEY NOT NULL,
                owner TEXT,
                expires TIMESTAMPTZ NOT NULL,
                taken BIGINT NOT NULL DEFAULT 0
            )
            """, logger: logger)
        // The lines of the twins stored already go into the catalogue: an instance learns of them without a status.
        try await connection.query("""
            INSERT INTO twinhub_leases (unit, owner, expires)
            SELECT DISTINCT regexp_replace(id, '/[^/]*$', ''), NULL::text, now() FROM twins
            ON CONFLICT (unit) DO NOTHING
            """, logger: logger)
    }

    public func leaseRound(instance: String, terms: LeaseTerms, discovered: [String]) async throws(TwinStorageError) -> LeaseTable {
        let seconds = terms.duration.secondsValue
        let logger = logger
        do {
            try checkOpen()
            return try await leaseCall(terms) { client in
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("""
                        INSERT INTO twinhub_instances (id, expires) VALUES (\(instance), now() + \(seconds)::float8 * interval '1 second')
                        ON CONFLICT (id) DO UPDATE SET expires = excluded.expires
                        """, logger: logger)
                    // Instances gone for an hour are forgotten.
                    try await connection.query("DELETE FROM twinhub_instances WHERE expires < now() - interval '1 hour'", logger: logger)
                    if !discovered.isEmpty {
                        try await connection.query("""
                            INSERT INTO twinhub_leases (unit, owner, expires) SELECT u, NULL, now() FROM unnest(\(discovered)::text[]) AS t(u)
                            ON CONFLICT (unit) DO NOTHING
                            """, logger: logger)
                    }
                    var instances: Set<String> = []
                    for try await id in try await connection.query("SELECT id FROM twinhub_instances WHERE expires > now()", logger: logger)
                        .decode(String.self) {
                        instances.insert(id)
                    }
                    var leases: [String: LeaseTable.Lease] = [:]
                    for try await (unit, owner, lapsed) in try await connection.query(
                        "SELECT unit, owner, expires <= now() FROM twinhub_leases", logger: logger).decode((String, String?, Bool).self) {
                        leases[unit] = LeaseTable.Lease(owner: owner, lapsed: lapsed)
                    }
                    return LeaseTable(instances: instances, leases: leases)
                }
            }
        } catch {
            throw failure(.cannotLease, error)
        }
    }

    public func acquire(_ units: [String], for instance: String, terms: LeaseTerms) async throws(TwinStorageError) -> [String] {
        guard !units.isEmpty else { return [] }
        return try await updateLeases(terms, """
            UPDATE twinhub_leases SET owner = \(instance), expires = now() + \(terms.duration.secondsValue)::float8 * interval '1 second',
                taken = taken + 1
            WHERE unit = ANY(\(units)::text[]) AND (owner IS NULL OR owner = \(instance) OR expires <= now())
            RETURNING unit
            """)
    }

    public func renew(_ units: [String], for instance: String, terms: LeaseTerms) async throws(TwinStorageError) -> [String] {
        guard !units.isEmpty else { return [] }
        return try await updateLeases(terms, """
            UPDATE twinhub_leases SET expires = now() + \(terms.duration.secondsValue)::float8 * interval '1 second'
            WHERE unit = ANY(\(units)::text[]) AND owner = \(instance)
            RETURNING unit
            """)
    }

    public func release(_ units: [String], for instance: String) async throws(TwinStorageError) {
        guard !units.isEmpty else { return }
        _ = try await updateLeases(LeaseTerms(), """
            UPDATE twinhub_leases SET owner = NULL, expires = now() WHERE unit = ANY(\(units)::text[]) AND owner = \(instance) RETURNING unit
            """)
    }

    public func leave(instance: String) async throws(TwinStorageError) {
        _ = try await updateLeases(LeaseTerms(), """
            UPDATE twinhub_leases SET owner = NULL, expires = now() WHERE owner = \(instance) RETURNING unit
            """)
        _ = try await updateLeases(LeaseTerms(), "DELETE FROM twinhub_instances WHERE id = \(instance) RETURNING id")
    }

    /// Who holds each unit now: the leases that have not lapsed, by unit (for operators and tests; it writes nothing,
    /// unlike a round, which would count the caller as an instance).
    public func leaseHolders() async throws(TwinStorageError) -> [String: String] {
        let logger = logger
        do {
            try checkOpen()
            return try await leaseCall(LeaseTerms()) { client in
                var holders: [String: String] = [:]
                for try await (unit, owner) in try await client.query(
                    "SELECT unit, owner FROM twinhub_leases WHERE owner IS NOT NULL AND expires > now()", logger: logger).decode((String, String).self) {
                    holders[unit] = owner
                }
                return holders
            }
        } catch {
            throw failure(.cannotLease, error)
        }
    }

    /// Runs `query`, which returns unit names (one statement: its own transaction).
    private func updateLeases(_ terms: LeaseTerms, _ query: PostgresQuery) async throws(TwinStorageError) -> [String] {
        let logger = logger
        do {
            try checkOpen()
            return try await leaseCall(terms) { client in
                var units: [String] = []
                for try await unit in try await client.query(query, logger: logger).decode(String.self) { units.append(unit) }
                return units
            }
        } catch {
            throw failure(.cannotLease, error)
        }
    }

    /// Runs `body` with the client, failing once a renewal interval (at least a second) has passed: a round that waits
    /// longer for a lost server would let the leases it renews lapse meanwhile.
    private func leaseCall<T: Sendable>(_ terms: LeaseTerms, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = client
        let result = Mutex<T?>(nil)
        try await Self.within(max(terms.renewalInterval, .seconds(1))) {
            let value = try await body(client)
            result.withLock { $0 = value }
        }
        return result.withLock { $0 }!
    }
}
