import ServiceLifecycle

extension TwinService {
    /// The twin service as a `Service` of a `ServiceGroup`: it serves until the group shuts down gracefully (or its
    /// task is cancelled), then writes the twins not yet written and disconnects, as ``TwinService/run(ready:)``
    /// does when cancelled.
    public struct Runner: Service {
        /// The service run.
        public let service: TwinService
        /// Called once the service is connected with its subscriptions in place.
        public let ready: @Sendable () -> Void

        /// - Parameters:
        ///   - service: the service to run.
        ///   - ready: called once it is connected with its subscriptions in place.
        public init(_ service: TwinService, ready: @escaping @Sendable () -> Void = {}) {
            self.service = service
            self.ready = ready
        }

        /// Serves until graceful shutdown or cancellation.
        /// - Throws: what ``TwinService/run(ready:)`` throws: storage that cannot be read, a connection that cannot be made.
        public func run() async throws {
            let (service, ready) = (service, ready)
            try await cancelWhenGracefulShutdown { try await service.run(ready: ready) }
        }
    }
}
