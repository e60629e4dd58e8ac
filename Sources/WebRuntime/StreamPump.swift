import Foundation
import Synchronization
import WebView

/// Runs one client's ``StreamSession`` against the server's fleet: at the pace of its fastest subscription, the frames
/// the fleet's changes call for (and replies to the client's messages) go to `send`, one at a time. A send that does
/// not complete within the stall timeout ends the stream with ``StreamStalled``: nothing queues behind a client that
/// does not read (the session keeps the latest state, and a client further behind than the journal is resynced).
final class StreamPump: Sendable {
    let session = Mutex(StreamSession())
    private let replies = Mutex<[[UInt8]]>([])
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// When the send under way started, in nanoseconds since the pump started; -1 between sends.
    private let sending = Atomic<Int64>(-1)

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// The most replies waiting to go out: a client that sends without reading gets no more.
    static let maximumPendingReplies = 256

    /// Takes a message from the client; its replies go out with the next frames, at once.
    /// - Returns: `false` when the client has more unsent replies than ``maximumPendingReplies`` (the message is not read).
    @discardableResult
    func receive(_ text: [UInt8]) -> Bool {
        guard replies.withLock({ $0.count }) < Self.maximumPendingReplies else { return false }
        let answers = session.withLock { $0.receive(text) }
        replies.withLock { $0 += answers }
        wake.continuation.yield()
        return true
    }

    /// Sends frames until the task is cancelled or `send` throws. A watchdog looks at the send under way: one that
    /// has taken longer than `stallTimeout` ends the stream with ``StreamStalled``, after `stalled` (which closes the
    /// connection, so that the send waiting on it fails and the stream can end).
    func run(_ server: WebServer, stallTimeout: Duration, send: @escaping @Sendable ([UInt8]) async throws -> Void,
             stalled: @escaping @Sendable () async -> Void = {}) async throws {
        let start = ContinuousClock.now
        let elapsed: @Sendable () -> Int64 = { Self.nanoseconds(ContinuousClock.now - start) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                // The session's pace: its fastest subscription's rate.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(session.withLock { $0.tickInterval }))
                    wake.continuation.yield()
                }
            }
            group.addTask { [self] in
                let limit = Self.nanoseconds(stallTimeout)
                while !Task.isCancelled {
                    try await Task.sleep(for: min(stallTimeout / 4, .seconds(1)))
                    let began = sending.load(ordering: .relaxed)
                    if began >= 0, elapsed() - began > limit {
                        await stalled()
                        throw StreamStalled(limit: stallTimeout)
                    }
                }
            }
            group.addTask { [self] in
                // Woken by the clock, or early by a message from the client (a new subscription wants its snapshot).
                for await _ in wake.stream {
                    let now = (ContinuousClock.now - start).secondsValue
                    let frames = server.fleet.withLock { fleet in session.withLock { $0.frames(from: fleet, now: now) } }
                    let answers = replies.withLock { replies in
                        defer { replies = [] }
                        return replies
                    }
                    for frame in answers + frames {
                        sending.store(elapsed(), ordering: .relaxed)
                        try await send(frame)
                        sending.store(-1, ordering: .relaxed)
                        server.counters.noteFrameSent()
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// A client did not take a frame within the stall timeout.
struct StreamStalled: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the client took no frame for \(limit)" }
}
