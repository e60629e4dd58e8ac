import Foundation
import ServiceLifecycle
import UnixSignals

/// Exits the process at once on the second of the stopping signals (any mix of them). The first starts the group's
/// graceful shutdown, which a part waiting on an unresponsive broker can make last (a disconnect waits up to 5 s for
/// acknowledgements); the second gives the user the prompt back, with status 128 + the signal, as a shell reports an
/// end by that signal. `exit` runs the `atexit` handlers, so the console's terminal is restored.
///
/// First in the group's list, so it is shut down last and listens while the others stop.
struct SecondSignalExit: Service {
    /// The signals, trapped before the group starts so that none is missed.
    let signals: UnixSignalsSequence

    func run() async throws {
        let signals = signals
        await cancelWhenGracefulShutdown {
            var received = 0
            for await signal in signals {
                received += 1
                if received == 2 { exit(128 + signal.rawValue) }
            }
        }
    }
}
