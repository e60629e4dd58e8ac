import ServiceLifecycle
import Synchronization

extension FleetSimulator {
    /// The fleet as a `Service` of a `ServiceGroup`: it runs until its duration is reached or the group shuts down
    /// gracefully (or its task is cancelled), then takes every machine offline cleanly, as
    /// ``FleetSimulator/run(status:)`` does; the run's summary is kept for the caller.
    public final class Runner: Service {
        /// The fleet run.
        public let fleet: FleetSimulator
        private let status: @Sendable (FleetStatus) -> Void
        private let result = Mutex<FleetSummary?>(nil)

        /// - Parameters:
        ///   - fleet: the fleet to run.
        ///   - status: called about once a second with live figures.
        public init(_ fleet: FleetSimulator, status: @escaping @Sendable (FleetStatus) -> Void = { _ in }) {
            self.fleet = fleet
            self.status = status
        }

        /// What the run did, once it has ended; `nil` before, or when the fleet could not connect.
        public var summary: FleetSummary? { result.withLock { $0 } }

        /// Runs the fleet until its duration, graceful shutdown or cancellation.
        /// - Throws: the first connection error if the fleet cannot connect.
        public func run() async throws {
            let (fleet, status) = (fleet, status)
            let summary = try await cancelWhenGracefulShutdown { try await fleet.run(status: status) }
            result.withLock { $0 = summary }
        }
    }
}
