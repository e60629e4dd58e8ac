import Foundation

/// Stops a child process when this process ends, however it ends (also `kill -9`, when no clean-up of
/// ours can run): a tiny shell waits on a pipe whose only writing end this process holds; when the kernel
/// closes that end, the shell's read returns and it sends the child SIGTERM.
final class ParentWatchdog: Sendable {
    private let shell: ChildProcess
    private let writingEnd: Int32

    /// Watches over `child`.
    /// - Throws: ``BrokerError`` when the pipe or the shell cannot be made.
    init(protecting child: pid_t) throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw BrokerError("pipe(): \(String(cString: strerror(errno)))") }
        // Children spawned elsewhere (Foundation's Process) must not hold the writing end.
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        defer { close(ends[0]) }
        do {
            shell = try ChildProcess.spawn("/bin/sh", ["-c", "read line; kill -TERM \"$1\" 2>/dev/null", "twinhub-watchdog", String(child)],
                                           standardInput: ends[0])
        } catch {
            close(ends[1])
            throw error
        }
        writingEnd = ends[1]
    }

    /// Stands the watchdog down without touching the child (which the caller has stopped itself).
    func dismiss() {
        shell.send(SIGKILL)
        shell.waitUntilExit()
        close(writingEnd)
    }
}
