import ServiceLifecycle

extension MosquittoBroker: Service {
    /// Watches the started broker until its `ServiceGroup` shuts down gracefully (or the task is cancelled), then
    /// stops it (SIGTERM: it closes its connections cleanly) and waits for it to exit. Put it first in the group's
    /// list, so that it stops after every part that talks through it.
    /// - Throws: ``BrokerError`` when the broker ends on its own (or does not stop cleanly), saying how, with the end
    ///   of its log.
    public func run() async throws {
        // Its end is an event of its own (the reaper thread), awaited outside the group below: the wait is not
        // cancellable, and it ends when the broker does, which this method makes sure of.
        let exit = Task { await exited() }
        let askedToStop = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await exit.value
                return false
            }
            group.addTask {
                // Returns on graceful shutdown; throws on cancellation, which stops the broker too.
                try? await gracefulShutdown()
                return true
            }
            let asked = await group.next() == true
            if asked { await stop() }
            group.cancelAll()
            return asked
        }
        let termination = await exit.value
        guard askedToStop, termination == .exited(0) else {
            let log = log.split(separator: "\n").suffix(5).map { "  \($0)" }.joined(separator: "\n")
            throw BrokerError("the broker \(termination)" + (log.isEmpty ? "" : "; the end of its log:\n\(log)"))
        }
    }
}
