import Synchronization
import TwinHubMQTT
import TwinServiceCore

/// The twin service's messages between its MQTT subscription and its core: one task puts them in as fast as they come,
/// another takes them out for the core. Inside, a ``SheddingQueue``: when the core falls `sheddingDepth` messages
/// behind, a machine's new telemetry takes the place of its older one (shed, counted), so that the core sees every
/// machine's latest sample and an alert's sample never waits behind a backlog of stale ones.
final class Inbox: Sendable {
    private struct State: Sendable {
        var queue: SheddingQueue<MQTTMessage>
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state: Mutex<State>
    /// The most messages held: beyond it (messages that are never shed, in a flood) the putting task waits.
    let capacity: Int

    init(sheddingDepth: Int?, capacity: Int) {
        state = Mutex(State(queue: SheddingQueue(sheddingDepth: sheddingDepth)))
        self.capacity = capacity
    }

    /// Telemetry shed so far.
    var shed: Int { state.withLock { $0.queue.shed } }

    /// Messages waiting.
    var count: Int { state.withLock { $0.queue.count } }

    /// Puts `message` in; a message on a telemetry topic may be shed later. Waits (the MQTT subscription then fills and
    /// pauses reading) while `capacity` messages wait.
    func put(_ message: MQTTMessage, telemetry: Bool) async {
        while count >= capacity, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(1))
        }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.queue.append(message, key: telemetry ? message.topic : nil)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Every message still waiting, oldest first; the inbox is empty after. For a stop: what the broker has already
    /// been acknowledged for is applied, not lost.
    func takeRemaining() -> [MQTTMessage] {
        state.withLock { state in
            var messages: [MQTTMessage] = []
            while let message = state.queue.popFirst() { messages.append(message) }
            return messages
        }
    }

    /// No more messages will be put in: ``next()`` returns `nil` once the rest is taken.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The oldest message; waits for one. `nil` once finished and empty, or when the task is cancelled.
    func next() async -> MQTTMessage? {
        while !Task.isCancelled {
            enum Step { case message(MQTTMessage), finished, wait }
            let step = state.withLock { state -> Step in
                if let message = state.queue.popFirst() { return .message(message) }
                return state.finished ? .finished : .wait
            }
            switch step {
            case .message(let message): return message
            case .finished: return nil
            case .wait: break
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if state.queue.count > 0 || state.finished || Task.isCancelled { return true }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
        return nil
    }
}
