import ServiceLifecycle

/// Holds a part back until the parts it waits for are ready: the simulator starts once the twin service and the
/// viewer are subscribed, so the first alert already has somewhere to go.
struct DemoStartGate: Service {
    /// The part held back.
    let part: any Service
    /// How many `ready` calls open the gate.
    let waitingFor: Int
    /// Called when the gate opens, before the part starts.
    let opened: @Sendable () -> Void
    private let readiness: AsyncStream<Void>
    private let sink: AsyncStream<Void>.Continuation

    init(_ part: any Service, waitingFor: Int, opened: @escaping @Sendable () -> Void) {
        self.part = part
        self.waitingFor = waitingFor
        self.opened = opened
        (readiness, sink) = AsyncStream.makeStream(of: Void.self)
    }

    /// One of the parts waited for is ready.
    @Sendable func ready() {
        sink.yield()
    }

    /// Runs the part once the gate opens; returns without running it if the group shuts down first.
    func run() async throws {
        let (readiness, waitingFor) = (readiness, waitingFor)
        let open = await cancelWhenGracefulShutdown {
            var ready = 0
            for await _ in readiness {
                ready += 1
                if ready == waitingFor { return true }
            }
            return false
        }
        guard open else { return }
        opened()
        try await part.run()
    }
}
