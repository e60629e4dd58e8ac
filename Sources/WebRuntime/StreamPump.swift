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

    /// Takes a message from the client; its replies go out with the next frames, at once.
    func receive(_ text: [UInt8]) {
        let answers = session.withLock { $0.receive(text) }
        replies.withLock { $0 += answers }
        wake.continuation.yield()
    }

    /// Sends frames until the task is cancelled or `send` throws.
    func run(_ server: WebServer, stallTimeout: Duration, send: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                // The session's pace: its fastest subscription's rate.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(session.withLock { $0.tickInterval }))
                    wake.continuation.yield()
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
                        try await Self.within(stallTimeout) { try await send(frame) }
                        server.counters.noteFrameSent()
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Runs `operation`, failing with ``StreamStalled`` when it takes longer than `limit`. On a stall it returns
    /// without waiting for `operation`, which ends when the caller closes the connection it writes to.
    static func within(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Void) async throws {
        let outcome = Outcome()
        let work = Task {
            do {
                try await operation()
                outcome.finish(.success(()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            outcome.finish(.failure(StreamStalled(limit: limit)))
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { outcome.wait(with: $0) }
        } onCancel: {
            work.cancel()
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// The first of several outcomes, handed to one waiter whether it came before or after the waiter.
    private final class Outcome: Sendable {
        private enum State {
            case pending
            case waiting(CheckedContinuation<Void, any Error>)
            case finished(Result<Void, any Error>)
            case delivered
        }

        private let state = Mutex(State.pending)

        func finish(_ result: Result<Void, any Error>) {
            state.withLock { state in
                switch state {
                case .pending: state = .finished(result)
                case .waiting(let continuation):
                    state = .delivered
                    continuation.resume(with: result)
                case .finished, .delivered: break
                }
            }
        }

        func wait(with continuation: CheckedContinuation<Void, any Error>) {
            state.withLock { state in
                switch state {
                case .pending: state = .waiting(continuation)
                case .finished(let result):
                    state = .delivered
                    continuation.resume(with: result)
                case .waiting, .delivered: continuation.resume(throwing: CancellationError())
                }
            }
        }
    }
}

/// A client did not take a frame within the stall timeout.
struct StreamStalled: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the client took no frame for \(limit)" }
}
