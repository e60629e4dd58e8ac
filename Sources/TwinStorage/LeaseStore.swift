import TwinPartition

/// Where service instances keep their heartbeats and their leases on units (lines, the aggregates), so that each unit
/// has at most one owner: a shared database. Expiries are judged by the store's own clock, never the instances'.
///
/// Each call is one transaction; a unit changes hands only through a conditional write (taken only while it is free,
/// lapsed or the taker's), so two instances can never both hold it.
public protocol LeaseStore: Sendable {
    /// One round of an instance: renews its heartbeat for `terms`' duration, adds the `discovered` units to the
    /// catalogue (as free leases) and reads back the live instances and every lease.
    func leaseRound(instance: String, terms: LeaseTerms, discovered: [String]) async throws(TwinStorageError) -> LeaseTable

    /// Takes those of `units` that are free, lapsed or already the instance's, for `terms`' duration.
    /// - Returns: the units taken.
    func acquire(_ units: [String], for instance: String, terms: LeaseTerms) async throws(TwinStorageError) -> [String]

    /// Extends the instance's leases on those of `units` it still holds.
    /// - Returns: the units renewed; any other is no longer the instance's.
    func renew(_ units: [String], for instance: String, terms: LeaseTerms) async throws(TwinStorageError) -> [String]

    /// Gives up the instance's leases on `units`, at once free for another.
    func release(_ units: [String], for instance: String) async throws(TwinStorageError)

    /// The instance stops: every lease it holds is released and its heartbeat removed.
    func leave(instance: String) async throws(TwinStorageError)
}
