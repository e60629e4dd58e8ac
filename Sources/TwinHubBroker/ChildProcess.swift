import Foundation
import Synchronization

/// A child process started with `posix_spawn`, in a clean state whatever thread starts it: its own process
/// group (a Ctrl-C in the terminal reaches only the parent, which stops its children in order), no blocked
/// or ignored signals (a thread's blocked mask and `SIG_IGN` would otherwise survive `exec`, and `SIGTERM`
/// would not stop it), and no descriptors but the three it is given (an inherited pipe end keeps the
/// parent's readers waiting, or a watchdog from noticing its parent died).
///
/// A thread waits for the child, so its exit is an event: ``waitForExit()``.
public final class ChildProcess: Sendable {
    /// How a child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }
    }

    /// The child's process ID.
    public let processID: pid_t
    private let termination = Mutex<(ended: Termination?, cpuSeconds: Double?, waiters: [CheckedContinuation<Termination, Never>])>((nil, nil, []))
    private let exited = NSCondition()

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - standardInput: a descriptor to read from, or `nil` for `/dev/null`. The child gets its own copy.
    ///   - output: a file to append standard output and error to, or `nil` for `/dev/null`.
    /// - Throws: ``BrokerError`` with the reason when the program cannot be started.
    public static func spawn(_ executable: String, _ arguments: [String], standardInput: Int32? = nil,
                             output: String? = nil) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw BrokerError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(processID: pid)
        child.startReaper()
        return child
    }

    private init(processID: pid_t) {
        self.processID = processID
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { termination.withLock { $0.ended == nil } }

    /// How the child ended, once it has.
    public var ended: Termination? { termination.withLock { $0.ended } }

    /// The CPU time (user and system) the child used, once it has exited; its own children's not included.
    public var cpuSeconds: Double? { termination.withLock { $0.cpuSeconds } }

    /// Sends `signal` to the child, unless it has already ended (its process ID may then be someone else's).
    public func send(_ signal: Int32) {
        termination.withLock { state in
            if state.ended == nil { _ = kill(processID, signal) }
        }
    }

    /// Waits for the child to exit.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { continuation in
            let ended = termination.withLock { state -> Termination? in
                if state.ended == nil { state.waiters.append(continuation) }
                return state.ended
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Blocks the calling thread until the child exits: for synchronous clean-up paths only.
    public func waitUntilExit() {
        exited.lock()
        while isRunning { exited.wait() }
        exited.unlock()
    }

    private func startReaper() {
        let thread = Thread { [self] in
            var status: Int32 = 0
            var usage = rusage()
            var result: pid_t
            repeat { result = wait4(processID, &status, 0, &usage) } while result == -1 && errno == EINTR
            let cpuSeconds = result == -1 ? nil : Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime)
            // WIFEXITED/WTERMSIG are macros Swift does not import.
            let ended: Termination = result == -1 ? .exited(-1)
                : (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
            let waiters = termination.withLock { state in
                state.ended = ended
                state.cpuSeconds = cpuSeconds
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: ended) }
            exited.lock()
            exited.broadcast()
            exited.unlock()
        }
        thread.name = "twinhub-wait-\(processID)"
        thread.start()
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    /// The descriptors open in this process now.
    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }
}
