import Foundation
import Synchronization
import WebView

/// Runs one client's ``StreamSession`` against the server's fleet: the outputs of the shared feeds it follows
/// (``StreamHub``), its snapshots, and the replies to its messages go to `send`, one at a time. A send that does not
/// complete within the stall timeout ends the stream with ``StreamStalled``. Nothing queues behind a client that does
/// not read: past ``maximumWaitingOutputs`` its waiting outputs are dropped and its subscriptions catch up from the
/// fleet's journal (or, further behind than it keeps, are resynced).
final class StreamPump: Sendable {
    let session = Mutex(StreamSession(fed: true))
    private let server: WebServer
    private let replies = Mutex<[[UInt8]]>([])
    private struct Inbox {
        var outputs: [(DeltaFeed.Key, FeedOutput)] = []
        var overflowed = false
    }
    private let inbox = Mutex(Inbox())
    /// The feeds followed; `nil` once the pump has ended (a message read after that joins nothing).
    private let following = Mutex<Set<DeltaFeed.Key>?>([])
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// When the send under way started, in nanoseconds since the pump started; -1 between sends.
    private let sending = Atomic<Int64>(-1)
    /// Once a stall is seen, the stream ends as stalled, even when closing the connection ends the waiting send first.
    private let stallSeen = Atomic<Bool>(false)

    /// Whether the stream ended because its client took no frame within the stall timeout.
    var stalled: Bool { stallSeen.load(ordering: .relaxed) }

    init(server: WebServer) {
        self.server = server
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// The most replies waiting to go out: a client that sends without reading gets no more.
    static let maximumPendingReplies = 256
    /// The most feed outputs waiting to go out (a few seconds' worth at the highest rate).
    static let maximumWaitingOutputs = 256

    /// Takes a message from the client; its replies go out with the next frames, at once.
    /// - Returns: `false` when the client has more unsent replies than ``maximumPendingReplies`` (the message is not read).
    @discardableResult
    func receive(_ text: [UInt8]) -> Bool {
        guard replies.withLock({ $0.count }) < Self.maximumPendingReplies else { return false }
        let (answers, keys) = session.withLock { ($0.receive(text), $0.feedKeys) }
        replies.withLock { $0 += answers }
        follow(keys)
        wake.continuation.yield()
        return true
    }

    /// Joins the feeds of `keys` not yet followed, and leaves the others.
    private func follow(_ keys: Set<DeltaFeed.Key>) {
        let (joining, leaving) = following.withLock { following -> (Set<DeltaFeed.Key>, Set<DeltaFeed.Key>) in
            guard let followed = following else { return ([], []) }
            following = keys
            return (keys.subtracting(followed), followed.subtracting(keys))
        }
        for key in joining { server.hub.join(key, self, server: server) }
        for key in leaving { server.hub.leave(key, self) }
    }

    /// Takes an output of a followed feed (from the hub's task).
    func deliver(_ output: FeedOutput, of key: DeltaFeed.Key) {
        inbox.withLock { inbox in
            if inbox.outputs.count < Self.maximumWaitingOutputs {
                inbox.outputs.append((key, output))
            } else {
                inbox.outputs = []
                inbox.overflowed = true
            }
        }
        wake.continuation.yield()
    }

    /// Sends frames until the task is cancelled or `send` throws, then leaves the feeds. A watchdog looks at the send
    /// under way: one that has taken longer than `stallTimeout` ends the stream with ``StreamStalled``, after `stalled`
    /// (which closes the connection, so that the send waiting on it fails and the stream can end).
    func run(stallTimeout: Duration, send: @escaping @Sendable ([UInt8]) async throws -> Void,
             stalled: @escaping @Sendable () async -> Void = {}) async throws {
        defer {
            let followed = following.withLock { following in
                defer { following = nil }
                return following ?? []
            }
            for key in followed { server.hub.leave(key, self) }
        }
        let start = ContinuousClock.now
        let elapsed: @Sendable () -> Int64 = { Self.nanoseconds(ContinuousClock.now - start) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                let limit = Self.nanoseconds(stallTimeout)
                while !Task.isCancelled {
                    try await Task.sleep(for: min(stallTimeout / 4, .seconds(1)))
                    let began = sending.load(ordering: .relaxed)
                    if began >= 0, elapsed() - began > limit {
                        stallSeen.store(true, ordering: .relaxed)
                        await stalled()
                        throw StreamStalled(limit: stallTimeout)
                    }
                }
            }
            group.addTask { [self] in
                // Woken by a feed's output, or by a message from the client (a new subscription wants its snapshot).
                for await _ in wake.stream {
                    for frame in nextFrames() {
                        sending.store(elapsed(), ordering: .relaxed)
                        try await send(frame)
                        sending.store(-1, ordering: .relaxed)
                        server.counters.noteFrameSent()
                    }
                }
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch where stallSeen.load(ordering: .relaxed) {
                throw StreamStalled(limit: stallTimeout)
            }
        }
    }

    /// The replies, the waiting outputs' frames, and the snapshots and catching up due.
    private func nextFrames() -> [[UInt8]] {
        let now = server.hub.now()
        let (outputs, overflowed) = inbox.withLock { inbox in
            defer { inbox = Inbox() }
            return (inbox.outputs, inbox.overflowed)
        }
        var frames = replies.withLock { replies in
            defer { replies = [] }
            return replies
        }
        if overflowed { server.counters.noteFellBehind() }
        let needsFleet = session.withLock { session in
            if overflowed { session.fellBehind() }
            for (key, output) in outputs { frames += session.frames(for: output, of: key, now: now) }
            return session.needsFleet
        }
        if needsFleet {
            frames += server.fleet.withLock { fleet in session.withLock { $0.frames(from: fleet, now: now) } }
        }
        return frames
    }
}

/// A client did not take a frame within the stall timeout.
struct StreamStalled: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the client took no frame for \(limit)" }
}
