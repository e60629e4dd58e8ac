import Dispatch
import Synchronization

/// A dispatch source that any thread can cancel, possibly before it has started.
///
/// Dispatch sources are thread-safe, but Dispatch does not mark them `Sendable`; holding one behind a
/// `Mutex` lets the compiler see what libdispatch guarantees, without `@unchecked`.
final class CancellableSource: Sendable {
    private struct State {
        var source: (any DispatchSourceProtocol)?
        var isCancelled = false
    }

    private let state = Mutex(State())

    init() {}

    /// Makes the source with `make`, which sets its handlers, resumes it and keeps it to cancel; does
    /// nothing if `cancel()` came first.
    func start(_ make: () -> sending any DispatchSourceProtocol) {
        state.withLock { state in
            guard !state.isCancelled else { return }
            let source = make()
            source.resume()
            state.source = source
        }
    }

    /// Cancels the source: its handlers are not called again.
    func cancel() {
        state.withLock { state in
            state.isCancelled = true
            state.source?.cancel()
        }
    }
}
