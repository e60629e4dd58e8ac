import Logging
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinServiceCore
import TwinStorage

extension TwinService {
    /// Where the core's actions go: the MQTT client, and the storage that batches are written to (none without).
    struct Outlet: Sendable {
        let client: MQTTClient
        let storage: (any TwinStorage)?
        /// Signalled once the core says everything is written after ``TwinServiceCore/Event/stopping``.
        let flushed: FlushSignal
        /// The leases of a partitioned instance; `nil` when it serves every machine.
        let partition: PartitionRuntime?

        /// Writes `batch` on a task of its own, beside the batches in flight (they never share a twin), then hands the
        /// outcome back to the core. Unstructured on purpose: one hop from the core's lock to the disk, where a queue
        /// and a writer task took two before an alert's twin was written; and `run`'s task is cancelled to stop while
        /// the last twins must still be written.
        func write(_ batch: PersistBatch, for service: TwinService) {
            guard let storage else { return }
            Task { await service.write(batch, to: storage, outlet: self) }
        }
    }

    /// The outlet for `client`.
    func makeOutlet(client: MQTTClient, partition: PartitionRuntime? = nil) -> Outlet {
        Outlet(client: client, storage: options.storage, flushed: FlushSignal(), partition: partition)
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

/// Raised once, awaited once: the core has said everything is written. Awaiting it is not cut short by the waiting
/// task's cancellation (stopping is a cancellation, and the last twins must still be written).
final class FlushSignal: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Void, Never>)
        case raised
    }

    private let state = Mutex(State.pending)

    func raise() {
        state.withLock { state in
            if case .waiting(let continuation) = state { continuation.resume() }
            state = .raised
        }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if case .raised = state { continuation.resume() } else { state = .waiting(continuation) }
            }
        }
    }
}
