import CMalloc
import Logging
import TwinHubMQTT
import TwinServiceCore

extension TwinService {
    /// Hands the memory malloc holds free back to the system. glibc keeps freed memory in the arena of the thread
    /// that took it, and the service's threads pass messages to each other: without this, resident memory stays
    /// well above what is in use (at 10,000 twins 127–167 MB against about 51 MB of heap, BENCHMARKS.md). It takes
    /// about half a millisecond when done this often; after a burst that freed a lot, some tens of milliseconds.
    func releaseFreeMemory() {
        let start = ContinuousClock.now
        let released = twinhub_release_free_memory() == 1
        logger.debug("released free memory to the system: \(released) (\(ContinuousClock.now - start))")
    }

    /// What only the runtime knows for the metrics. Read outside the core's lock: the allocator walks its free lists to count.
    func runtimeFigures(_ client: MQTTClient) -> ServiceMetrics.RuntimeFigures {
        ServiceMetrics.RuntimeFigures(dropped: client.statistics.deliveryDropped, heapBytes: Int(twinhub_heap_bytes_in_use()), shed: inbox.shed)
    }
}
