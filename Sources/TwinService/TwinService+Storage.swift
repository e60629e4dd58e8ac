import Logging
import TwinHubMQTT
import TwinModel
import TwinServiceCore
import TwinStorage

extension TwinService {
    /// Starts the writer: it takes the batches the core hands out and writes each on a task of its own, beside the
    /// others (batches in flight never share a twin), then hands the outcome back to the core. It ends once the core
    /// says everything is written after ``TwinServiceCore/Event/stopping``.
    /// - Returns: where actions go, and the writer's task (none without storage).
    func startWriter(client: MQTTClient) -> (Outlet, Task<Void, Never>?) {
        guard let storage = options.storage else { return (Outlet(client: client, batches: nil), nil) }
        let (batches, continuation) = AsyncStream.makeStream(of: PersistBatch.self)
        let outlet = Outlet(client: client, batches: continuation)
        // Unstructured on purpose: `run`'s task is cancelled to stop, and the writer must go on to write the last twins.
        let writing = Task { [self] in
            await withDiscardingTaskGroup { group in
                for await batch in batches {
                    group.addTask { await self.write(batch, to: storage, outlet: outlet) }
                }
            }
        }
        return (outlet, writing)
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
