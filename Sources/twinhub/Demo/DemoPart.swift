import ServiceLifecycle

/// A part of the demo in its `ServiceGroup`: what its end means for the demo is recorded in the outcome before the
/// group stops the other parts.
struct DemoPart: Service {
    let part: any Service
    let outcome: DemoOutcome
    /// Why the demo ends when this part returns on its own.
    let returned: DemoEnding
    /// Why the demo ends when this part fails.
    let failed: @Sendable (any Error) -> DemoEnding

    func run() async throws {
        do {
            // Every other ending is recorded before the group shuts down: a shutdown that finds none came from a
            // signal. The part the group stops first records it.
            try await withGracefulShutdownHandler {
                try await part.run()
            } onGracefulShutdown: { [outcome] in
                outcome.record(.interrupted)
            }
        } catch {
            outcome.record(failed(error))
            throw error
        }
        outcome.record(returned)
    }
}
