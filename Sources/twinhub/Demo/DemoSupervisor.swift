import Foundation
import SimulationRuntime
import TwinHubBroker
import TwinService

/// Runs the parts of `twinhub demo` and stops them in order as soon as one ends (the user quits, a signal,
/// the simulation's duration, or a part failing).
///
/// The twin service and the viewer start first; the simulator starts once both are subscribed, so the first
/// alert already has somewhere to go. On the way out the simulator goes first (its machines say goodbye
/// through the broker), then the viewer, then the service (it writes its twins), and the broker last.
struct DemoSupervisor: Sendable {
    /// The private broker, or `nil` when the demo uses an existing one.
    var broker: MosquittoBroker?
    var service: TwinService
    var fleet: FleetSimulator
    /// The console, or the plain alert stream: returns when the user quits; calls `ready` once subscribed.
    var viewer: @Sendable (_ ready: @escaping @Sendable () -> Void) async throws -> Void
    /// Called when every part runs.
    var started: @Sendable () -> Void = {}

    private enum Event: Sendable {
        case ready
        case ended(DemoEnding)
        case brokerEnded(DemoEnding)
    }

    /// Runs until the first part ends or the task is cancelled (a signal), then stops everything.
    /// - Returns: why the demo ended, and the simulator's summary if it ran.
    func run() async -> (ending: DemoEnding, summary: FleetSummary?) {
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let brokerWatch = broker.map { broker in
            Task {
                let ending = Self.failure(of: broker, await broker.exited())
                sink.yield(.brokerEnded(ending))
            }
        }
        let service = Task {
            do {
                try await self.service.run { sink.yield(.ready) }
                sink.yield(.ended(Task.isCancelled ? .interrupted : .failed("the twin service stopped")))
            } catch {
                sink.yield(.ended(.failed("the twin service failed: \(error)")))
            }
        }
        let viewer = Task {
            do {
                try await self.viewer { sink.yield(.ready) }
                sink.yield(.ended(.quit))
            } catch {
                sink.yield(.ended(.failed("the console failed: \(error)")))
            }
        }
        var fleetRun: Task<FleetSummary?, Never>?
        let ending = await withTaskCancellationHandler {
            var ready = 0
            for await event in events {
                switch event {
                case .ready:
                    ready += 1
                    guard ready == 2 else { continue }
                    started()
                    fleetRun = Task {
                        do {
                            let summary = try await fleet.run()
                            if !Task.isCancelled { sink.yield(.ended(.finished)) }
                            return summary
                        } catch {
                            sink.yield(.ended(.failed("the simulator failed: \(error)")))
                            return nil
                        }
                    }
                case .brokerEnded(let ending):
                    return ending
                case .ended(.failed(let reason)) where broker != nil:
                    // A part that lost the broker fails at once; the broker's own end is the reason to tell,
                    // and it is known as soon as its process is reaped.
                    return await brokerEnding(within: .seconds(1)) ?? .failed(reason)
                case .ended(let ending):
                    return ending
                }
            }
            return DemoEnding.interrupted
        } onCancel: {
            sink.yield(.ended(.interrupted))
        }
        fleetRun?.cancel()
        let summary = await fleetRun?.value ?? nil
        viewer.cancel()
        await viewer.value
        service.cancel()
        await service.value
        await broker?.stop()
        await brokerWatch?.value
        sink.finish()
        return (ending, summary)
    }

    /// The broker's end, if its process turns out to have ended within `limit`.
    private func brokerEnding(within limit: Duration) async -> DemoEnding? {
        guard let broker else { return nil }
        let deadline = ContinuousClock.now + limit
        // Another process's end has no event this task can await with a time limit; its reaper thread notices
        // within milliseconds.
        while broker.isRunning {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return Self.failure(of: broker, await broker.exited())
    }

    /// The broker ended on its own: how, and the end of its log.
    private static func failure(of broker: MosquittoBroker, _ termination: ChildProcess.Termination) -> DemoEnding {
        let log = broker.log.split(separator: "\n").suffix(5).map { "  \($0)" }.joined(separator: "\n")
        return .failed("the broker \(termination)" + (log.isEmpty ? "" : "; the end of its log:\n\(log)"))
    }
}
