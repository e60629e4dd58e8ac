import CTwinHubMosquitto
import Foundation
import HeapModule
import Synchronization

/// One thread that drives the sockets of many MQTT clients with epoll, through libmosquitto's
/// external-loop API (`mosquitto_loop_read`, `_write`, `_misc`).
///
/// Every libmosquitto call for a client happens on its loop's thread, so libmosquitto's callbacks run
/// there too and the client's state needs no lock. Other threads hand work over with ``execute(_:)``.
/// Thousands of clients share one loop: no thread per connection. Loops live for the whole process.
public final class MQTTEventLoop: Sendable {
    /// The loop clients use unless given another.
    public static let shared = MQTTEventLoop(name: "twinhub-mqtt")

    /// How often keepalive bookkeeping (`mosquitto_loop_misc`) runs for every client.
    static let keepaliveTick: Duration = .seconds(1)

    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex(Inbox())
    private let confined: Confined

    private struct Inbox {
        var jobs: [@Sendable () -> Void] = []
        var wakePending = false
    }

    /// The loop thread's name, as the system shows it (at most 15 bytes).
    public let threadName: String

    /// Creates a loop and starts its thread.
    /// - Parameter name: the thread's name, seen in `top -H`, `perf` and debuggers; the system keeps its first 15 bytes.
    public init(name: String) {
        threadName = Self.systemThreadName(name)
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(epollFD >= 0 && wakeFD >= 0, "epoll/eventfd unavailable: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Confined.wakeToken
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        confined = Confined(epollFD: epollFD)
        // Named by the thread itself, through prctl: Foundation's `Thread.name` did not show in `perf` or /proc.
        Thread { [self] in
            _ = twinhub_name_current_thread(threadName)
            run()
        }.start()
    }

    /// `name` cut to the 15 bytes of UTF-8 the system keeps for a thread, at a character's boundary.
    static func systemThreadName(_ name: String) -> String {
        var kept = ""
        for character in name {
            guard kept.utf8.count + character.utf8.count <= 15 else { break }
            kept.append(character)
        }
        return kept
    }

    /// Runs `job` on the loop's thread, soon. Safe from any thread.
    public func execute(_ job: @escaping @Sendable () -> Void) {
        let mustWake = inbox.withLock { inbox in
            inbox.jobs.append(job)
            defer { inbox.wakePending = true }
            return !inbox.wakePending
        }
        if mustWake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Whether the caller is on this loop's thread.
    var inLoop: Bool { confined.thread == pthread_self() }

    // MARK: Loop-thread API

    /// Starts serving `client`'s socket events and keepalive ticks. Loop thread only.
    func register(_ client: ClientCore) {
        assert(inLoop)
        confined.clients[client.id] = client
    }

    /// Stops serving `client`. Loop thread only.
    func unregister(_ client: ClientCore) {
        assert(inLoop)
        confined.clients[client.id] = nil
    }

    /// Watches `fd` for `client`: for reading if `readable`, for writing if `writable`, and always for hang-ups.
    /// Loop thread only.
    func watch(fd: Int32, for client: ClientCore, readable: Bool = true, writable: Bool, isNew: Bool) {
        assert(inLoop)
        var event = epoll_event()
        event.events = (readable ? EPOLLIN.rawValue : 0) | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = client.id
        if isNew {
            if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST {
                epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
            }
        } else {
            epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
        }
    }

    /// Stops watching `fd`, which must still be open. Loop thread only.
    func unwatch(fd: Int32) {
        assert(inLoop)
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Runs `action` on the loop thread after `delay`. Loop thread only.
    func schedule(after delay: Duration, _ action: @escaping () -> Void) {
        assert(inLoop)
        confined.sequence += 1
        confined.timers.insert(Timer(deadline: .now + delay, sequence: confined.sequence, action: action))
    }

    // MARK: The loop

    private func run() {
        confined.thread = pthread_self()
        var events = [epoll_event](repeating: epoll_event(), count: 1024)
        var nextKeepalive = ContinuousClock.now + Self.keepaliveTick
        while true {
            let timeout = confined.millisecondsUntilNextTimer(orAtLatest: nextKeepalive)
            let count = epoll_wait(epollFD, &events, Int32(events.count), timeout)
            if count > 0 {
                for index in 0..<Int(count) {
                    let token = events[index].data.u64
                    if token == Confined.wakeToken {
                        runJobs()
                    } else if let client = confined.clients[token] {
                        client.handleIO(events: events[index].events)
                    }
                }
            }
            confined.runDueTimers()
            let now = ContinuousClock.now
            if now >= nextKeepalive {
                for client in confined.clients.values { client.tickKeepalive() }
                nextKeepalive = now + Self.keepaliveTick
            }
        }
    }

    private func runJobs() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
        let jobs = inbox.withLock { inbox in
            inbox.wakePending = false
            let jobs = inbox.jobs
            inbox.jobs = []
            return jobs
        }
        for job in jobs { job() }
    }
}

extension MQTTEventLoop {
    /// A deadline and what to do then.
    struct Timer: Comparable {
        let deadline: ContinuousClock.Instant
        let sequence: Int
        let action: () -> Void

        static func < (lhs: Timer, rhs: Timer) -> Bool {
            (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence)
        }

        static func == (lhs: Timer, rhs: Timer) -> Bool { lhs.sequence == rhs.sequence }
    }

    /// The loop's own state.
    ///
    /// `@unchecked Sendable`: after `init` every property is read and written only on the loop's thread
    /// (the loop-thread API asserts it), so no lock is needed; the class is shared only to reach that thread.
    final class Confined: @unchecked Sendable {
        static let wakeToken = UInt64.max

        let epollFD: Int32
        var thread: pthread_t?
        var clients: [UInt64: ClientCore] = [:]
        var timers = Heap<Timer>()
        var sequence = 0

        init(epollFD: Int32) {
            self.epollFD = epollFD
        }

        func millisecondsUntilNextTimer(orAtLatest latest: ContinuousClock.Instant) -> Int32 {
            var deadline = latest
            if let next = timers.min, next.deadline < deadline { deadline = next.deadline }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return 0 }
            return Int32(min((remaining.seconds * 1000).rounded(.up), 60_000))
        }

        func runDueTimers() {
            let now = ContinuousClock.now
            while let next = timers.min, next.deadline <= now {
                timers.removeMin().action()
            }
        }
    }
}
