import Dispatch
import Foundation
import Synchronization

/// Runs `body` and cancels it on SIGINT, SIGTERM or SIGHUP (a closed terminal or SSH session), so commands can disconnect cleanly on Ctrl-C.
/// A second signal exits at once.
func cancellingOnSignals<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let task = Task { try await body() }
    let sources = [SIGINT, SIGTERM, SIGHUP].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        let received = SignalCount()
        source.setEventHandler {
            if received.increment() > 1 { exit(128 + number) }
            task.cancel()
        }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }
    return try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}

/// Counts the signals received, to tell a first Ctrl-C from an impatient second one.
private final class SignalCount: Sendable {
    private let count = Atomic<Int>(0)
    func increment() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }
}
