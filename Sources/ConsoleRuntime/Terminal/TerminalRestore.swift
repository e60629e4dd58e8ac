#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Puts the terminal back the way it was, however the program ends: by `Terminal.restore()`, by `exit`
/// (an `atexit` handler) or by a crash (handlers for the signals that end a process at once).
///
/// The state is process-wide because signal handlers and `atexit` cannot carry context. Everything the
/// crash path touches is async-signal-safe: `write(2)`, `poll(2)`, `tcsetattr`, `sigaction`, `raise`,
/// lock-free atomics, and memory set up before the handlers were installed.
enum TerminalRestore {
    /// The signals whose default action ends the process and leaves the terminal in raw mode on the
    /// alternate screen. SIGINT, SIGQUIT and SIGTSTP are not among them: raw mode turns off ISIG, so the
    /// keys that would send them arrive as keys.
    static let crashSignals = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Records `settings` as the ones to restore and arms the `atexit` and crash paths, installing them on
    /// first use. Returns false if a terminal is already armed.
    static func arm(restoring settings: termios) -> Bool {
        guard !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        savedSettings.pointee = settings
        installHandlersOnce()
        armed.store(true, ordering: .releasing)
        return true
    }

    /// Whether the terminal is still in full-screen mode (false once any path restored it, a crash included).
    static var isArmed: Bool { armed.load(ordering: .acquiring) }

    /// Releases the claim without touching the terminal: for an `init` that failed half-way.
    static func disarm() {
        armed.store(false, ordering: .releasing)
        claimed.store(false, ordering: .releasing)
    }

    /// If armed: resets SGR, shows the cursor, leaves the alternate screen and restores the saved terminal
    /// settings, once. Async-signal-safe.
    ///
    /// - Parameter drain: Wait for written output to reach the terminal before changing its settings;
    ///   false in signal handlers, which should not wait.
    static func restore(drain: Bool) {
        guard armed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        // A literal, so nothing is allocated or lazily initialised here. The leading CAN ends any escape
        // sequence that a write interrupted by a crash left half-sent.
        let leaveFullScreen: StaticString = "\u{18}\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l"
        writeAll(UnsafeRawBufferPointer(start: leaveFullScreen.utf8Start, count: leaveFullScreen.utf8CodeUnitCount),
                 patience: drain ? -1 : 500)
        _ = tcsetattr(STDIN_FILENO, drain ? TCSADRAIN : TCSANOW, savedSettings)
        claimed.store(false, ordering: .releasing)
    }

    /// Writes `bytes` to standard output completely: loops over partial writes, retries after EINTR, and
    /// waits with `poll(2)` while a non-blocking descriptor is full. Gives up on any other error, or after
    /// `patience` milliseconds without progress (-1: never). Async-signal-safe.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, patience: Int32 = -1) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(STDOUT_FILENO, next, remaining)
            if written > 0 {
                next += written
                remaining -= written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                var descriptor = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
                guard poll(&descriptor, 1, patience) > 0 || errno == EINTR else { return }
            } else {
                return
            }
        }
    }

    private static func installHandlersOnce() {
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for signal in crashSignals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = restoreAndReraise
            #else
            action.__sigaction_u.__sa_handler = restoreAndReraise
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_ONSTACK  // use an alternate signal stack where a thread has one (stack overflow)
            _ = sigaction(signal, &action, previousActions + Int(signal))
        }
        _ = atexit { TerminalRestore.restore(drain: true) }
    }
}

// The process-wide state of the restore paths. Globals, because a signal handler can reach nothing else.

/// Whether a `Terminal` owns full-screen mode: set by `arm`, cleared when its restore has finished.
private let claimed = Atomic<Bool>(false)
/// Whether there is something to restore; exchanged to false by whichever restore runs first.
private let armed = Atomic<Bool>(false)
/// Whether the crash handlers and the `atexit` handler are installed (once per process).
private let installed = Atomic<Bool>(false)

/// The terminal settings to restore.
///
/// `nonisolated(unsafe)` is safe: the pointer is a constant; its memory is written only by `arm`, while no
/// terminal is claimed and before `armed` is set (a release store), and read only by `restore` after it
/// has exchanged `armed` from true (an acquire), so reads and writes never overlap.
nonisolated(unsafe) private let savedSettings = UnsafeMutablePointer<termios>.allocate(capacity: 1)

/// The actions the crash signals had before ours, indexed by signal number (Linux and Darwin number
/// signals below 65), so that a crash still ends the way it would have (a core dump, or the Swift
/// runtime's backtrace).
///
/// `nonisolated(unsafe)` is safe: the pointer is a constant; its memory is written only by
/// `installHandlersOnce`, before the handler that reads it is installed, and never again.
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let actions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    actions.initialize(repeating: sigaction(), count: 65)
    return actions
}()

/// The crash handler: restores the terminal, gives the signal back its previous action (the default if it
/// was ignored) and raises it again, so the process ends as it would have without us. The raised signal
/// is blocked while this handler runs and is delivered as soon as it returns.
private func restoreAndReraise(_ number: Int32) {
    TerminalRestore.restore(drain: false)
    let previous = previousActions + Int(number)
    #if canImport(Glibc)
    let handler = previous.pointee.__sigaction_handler.sa_handler
    #else
    let handler = previous.pointee.__sigaction_u.__sa_handler
    #endif
    if let handler, unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
        _ = signal(number, SIG_DFL)
    } else {
        _ = sigaction(number, previous, nil)
    }
    _ = raise(number)
}
