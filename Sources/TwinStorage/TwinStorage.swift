import TwinModel

/// Where twins are kept across restarts. Small on purpose, so a server database can take SQLite's place.
///
/// Its shape is swift-service-lifecycle's `Service` (`Sendable` with `run() async throws`), so a storage joins a
/// `ServiceGroup` with one line, `extension SQLiteTwinStorage: Service {}`, once the package depends on it. In the
/// group it goes before the twin service, which then stops first and writes its last twins while the storage is open.
/// `run()` ends when its task is cancelled; to end on a graceful shutdown instead, the conformance's `run()` can wrap
/// it in swift-service-lifecycle's `cancelWhenGracefulShutdown`.
public protocol TwinStorage: Sendable {
    /// Every stored twin. Rows that cannot be read are skipped and reported, never fatal.
    /// - Throws: ``TwinStorageError`` when the store cannot be read at all.
    func loadAll() async throws(TwinStorageError) -> LoadedTwins

    /// The stored twins under `prefixes` (the lines a service instance just took over). Rows that cannot be read are
    /// skipped and reported, never fatal.
    /// - Throws: ``TwinStorageError`` when the store cannot be read at all.
    func load(under prefixes: [PlantPath]) async throws(TwinStorageError) -> LoadedTwins

    /// Inserts or replaces these twins (those that can be encoded), in as many transactions as the driver likes. Off
    /// the caller's task where the driver can do so: the caller is not blocked on the disk.
    /// - Returns: the ids of the twins that could not be encoded (skipped, so one cannot block the others).
    /// - Throws: ``TwinStorageError`` when not all were written (some may have been); the caller writes them all again
    ///   later, which replaces what was written.
    func save(_ twins: [StoredTwin]) async throws(TwinStorageError) -> [String]

    /// Serves until the task is cancelled, then releases the store (its connections, files). ``loadAll()`` and
    /// ``save(_:)`` work before `run()` starts; after it ends they throw ``TwinStorageError/Code/closed``.
    func run() async throws
}

extension TwinStorage {
    /// Every stored twin under `prefixes`, picked out of ``loadAll()``: for a store that cannot select by path.
    public func load(under prefixes: [PlantPath]) async throws(TwinStorageError) -> LoadedTwins {
        var loaded = try await loadAll()
        loaded.twins.removeAll { twin in !prefixes.contains { $0.contains(twin.record.address) } }
        return loaded
    }

    /// Suspends until the calling task is cancelled: what a storage's ``run()`` does before it releases the store.
    public func waitUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(86_400))
        }
    }
}
