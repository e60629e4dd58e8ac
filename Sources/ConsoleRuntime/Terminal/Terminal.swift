#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Console
import Dispatch
import Synchronization

/// The terminal in full-screen mode: raw input, the alternate screen, a hidden cursor; keys in, bytes out,
/// sizes when it is resized.
///
/// Only one `Terminal` can be in full-screen mode at a time. It is left by ``restore()``, when the
/// `Terminal` is deallocated, when the process exits, and when it crashes (SIGSEGV, SIGBUS, SIGILL,
/// SIGTRAP, SIGABRT, SIGFPE): the shell gets its terminal back in every case.
public final class Terminal: Sendable {
    private struct State {
        var isRestored = false
        var keyboard: KeyboardInput?
        var resizes: [AsyncStream<TerminalSize>.Continuation] = []
    }

    private let state = Mutex(State())
    /// Whether output goes to the terminal; held while writing, so that a frame and the restore sequence
    /// never interleave.
    private let output = Mutex(true)

    /// Whether standard input and output are both terminals.
    public static var isInteractive: Bool {
        isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    }

    /// The current size (ioctl TIOCGWINSZ on stdout), nil if unknown.
    public static func currentSize() -> TerminalSize? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return TerminalSize(width: Int(size.ws_col), height: Int(size.ws_row))
    }

    /// Enters full-screen mode: saves the terminal settings, switches to raw mode (no echo, no canonical
    /// input, no ISIG so that Ctrl-C arrives as a key, no IXON; output processing kept), the alternate
    /// screen (ESC[?1049h) and a hidden cursor (ESC[?25l). Restoring is armed for `exit` and for crashes.
    ///
    /// - Throws: ``TerminalError/notInteractive`` if standard input or output is not a terminal,
    ///   ``TerminalError/alreadyInFullScreen`` if another `Terminal` has not been restored.
    public init() throws {
        guard Self.isInteractive else { throw TerminalError.notInteractive }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw TerminalError.systemCall("tcgetattr", errno: errno) }
        guard TerminalRestore.arm(restoring: saved) else { throw TerminalError.alreadyInFullScreen }
        var raw = saved
        cfmakeraw(&raw)
        raw.c_oflag |= tcflag_t(OPOST)  // keep "\n" → "\r\n", for anything printed by other code
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else {
            let error = TerminalError.systemCall("tcsetattr", errno: errno)
            TerminalRestore.disarm()
            throw error
        }
        let enterFullScreen: StaticString = "\u{1b}[?1049h\u{1b}[?25l"
        TerminalRestore.writeAll(UnsafeRawBufferPointer(start: enterFullScreen.utf8Start,
                                                        count: enterFullScreen.utf8CodeUnitCount))
    }

    deinit {
        restore()
    }

    /// Writes bytes to stdout completely (loop over partial writes, retry EINTR). Does nothing once the
    /// terminal is restored, by ``restore()`` or by the crash path, so that no frame lands on the user's shell.
    public func write(_ bytes: [UInt8]) {
        output.withLock { isOpen in
            guard isOpen, TerminalRestore.isArmed else { return }
            bytes.withUnsafeBytes { TerminalRestore.writeAll($0) }
        }
    }

    /// Leaves full-screen mode: shows the cursor, leaves the alternate screen, resets SGR, restores the
    /// terminal settings, and ends the ``keys()`` and ``resizes()`` streams. Idempotent, safe to call from
    /// any thread.
    public func restore() {
        let (keyboard, resizes) = state.withLock { state in
            state.isRestored = true
            defer { state.keyboard = nil; state.resizes = [] }
            return (state.keyboard, state.resizes)
        }
        keyboard?.stop()
        resizes.forEach { $0.finish() }
        output.withLock { isOpen in
            guard isOpen else { return }
            isOpen = false
            TerminalRestore.restore(drain: true)
        }
    }

    /// The keys typed, decoded with `KeyDecoder` from standard input as it arrives; a lone ESC is given
    /// as `.escape` after 50 ms of quiet. The stream ends when standard input closes or ``restore()`` is
    /// called. There is one reader: a second call ends the first call's stream.
    ///
    /// Keys are buffered in the order typed, up to 1024 (a large paste into a stalled console); beyond that
    /// new keys are dropped.
    public func keys() -> AsyncStream<Key> {
        let (stream, continuation) = AsyncStream.makeStream(of: Key.self, bufferingPolicy: .bufferingOldest(1024))
        let isRestored = state.withLock { state in
            state.keyboard?.stop()
            state.keyboard = state.isRestored ? nil : KeyboardInput(yieldingTo: continuation)
            return state.isRestored
        }
        if isRestored { continuation.finish() }
        return stream
    }

    /// A new size each time the terminal is resized: SIGWINCH through a dispatch signal source, which
    /// installs its own handler (no `signal(SIGWINCH, SIG_IGN)`: an ignored WINCH is discarded by the
    /// kernel). Only the latest size is kept while the consumer is busy. Ends on ``restore()``.
    public func resizes() -> AsyncStream<TerminalSize> {
        let (stream, continuation) = AsyncStream.makeStream(of: TerminalSize.self, bufferingPolicy: .bufferingNewest(1))
        let source = CancellableSource()
        continuation.onTermination = { _ in source.cancel() }
        let isRestored = state.withLock { state in
            if !state.isRestored { state.resizes.append(continuation) }
            return state.isRestored
        }
        if isRestored {
            continuation.finish()
        } else {
            source.start {
                let signals = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
                signals.setEventHandler {
                    if let size = Self.currentSize() { continuation.yield(size) }
                }
                return signals
            }
        }
        return stream
    }
}
