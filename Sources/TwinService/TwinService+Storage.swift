import Logging
import TwinHubMQTT
import TwinModel
import TwinServiceCore
import TwinStorage

extension TwinService {
    /// Where the core's actions go: the MQTT client, and the storage that batches are written to (none without).
    struct Outlet: Sendable {
        let client: MQTTClient
        let storage: (any TwinStorage)?
        /// Finished once the core says everything is written after ``TwinServiceCore/Event/stopping``.
        let flushed: AsyncStream<Never>.Continuation

        /// Writes `batch` on a task of its own, beside the batches in flight (they never share a twin), then hands the
        /// outcome back to the core. Unstructured on purpose: one hop from the core's lock to the disk, where a queue
        /// and a writer task took two before an alert's twin was written; and `run`'s task is cancelled to stop while
        /// the last twins must still be written.
        func write(_ batch: PersistBatch, for service: TwinService) {
            guard let storage else { return }
            Task { await service.write(batch, to: storage, outlet: self) }
        }
    }

    /// The outlet for `client`, and what finishes once everything is written after stopping.
    func makeOutlet(client: MQTTClient) -> (Outlet, flushed: AsyncStream<Never>) {
        let (flushed, continuation) = AsyncStream.makeStream(of: Never.self)
        return (Outlet(client: client, storage: options.storage, flushed: continuation), flushed)
    }

    private func write(_ batch: PersistBatch, to storage: any TwinStorage, outlet: Outlet) async {
        let twins = batch.storedTwins()
        var stored = true
        do {
            for id in try await storage.save(twins) {
                logger.error("twin \(LogText.escaped(id)) cannot be encoded for storage; it is skipped until it changes")
            }
        } catch {
            logger.error("cannot store \(twins.count) twins: \(error); they are written again with the next batch")
            stored = false
        }
        var actions: [TwinServiceCore.Action] = []
        handle(.storageCompleted(batch.id, stored: stored), &actions, outlet)
    }
}
