import Foundation
import Logging
import Synchronization
import Testing
import TwinHubBroker
@testable import TwinHubMQTT

/// A unique client ID per test, so tests running in parallel never share a session.
func uniqueClientID(_ prefix: String = "test") -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8))"
}

/// A configuration for `broker` with test-friendly defaults: fast reconnects, short connect timeout.
func clientConfiguration(_ url: String, clientID: String? = uniqueClientID(), version: ProtocolVersion = .v5) throws -> ClientConfiguration {
    var configuration = try ClientConfiguration(url: url, clientID: clientID)
    configuration.protocolVersion = version
    configuration.connectTimeout = .seconds(5)
    configuration.reconnect = .init(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(500))
    return configuration
}

/// The library's logger in tests: warnings and errors only, so test output stays readable.
let testLogger: Logger = {
    var logger = Logger(label: "twinhub.mqtt.test")
    logger.logLevel = .warning
    return logger
}()

extension MQTTClient {
    /// A client that logs through ``testLogger``.
    convenience init(testing configuration: ClientConfiguration) throws {
        try self.init(configuration, logger: testLogger)
    }
}

/// Connects a client to `url`; the caller disconnects it.
func connectedClient(_ url: String, clientID: String? = uniqueClientID(), version: ProtocolVersion = .v5) async throws -> MQTTClient {
    let client = try MQTTClient(testing: try clientConfiguration(url, clientID: clientID, version: version))
    try await client.connect()
    return client
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Awaits `operation`, failing with ``TimedOut`` after `limit` so a broken test fails instead of hanging.
/// The operation is cancelled then, but not awaited: a wait that ignores cancellation cannot hold the test.
func within<T: Sendable>(_ limit: Duration = .seconds(10), _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.install(continuation)
        let work = Task {
            do { outcome.resolve(.success(try await operation())) } catch { outcome.resolve(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            work.cancel()
            outcome.resolve(.failure(TimedOut(what: what)))
        }
    }
}

/// Resumes a continuation with whichever result comes first.
final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<T, any Error>?, Result<T, any Error>?)>((nil, nil))

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let result = state.1 { state.1 = nil; return result }
            state.0 = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resolve(_ result: Result<T, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard let continuation = state.0 else {
                if state.1 == nil { state.1 = result }
                return nil
            }
            state.0 = nil
            return continuation
        }
        waiting?.resume(with: result)
    }
}

extension MQTTSubscription {
    /// The next `count` messages, failing after `limit`.
    func next(_ count: Int = 1, within limit: Duration = .seconds(10)) async throws -> [MQTTMessage] {
        try await TwinHubIntegrationTests.within(limit, "\(count) message(s) on \(filters)") {
            var messages: [MQTTMessage] = []
            for await message in self {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
    }
}

/// Waits until the client reports `predicate`, failing after `limit`.
func awaitState(_ client: MQTTClient, within limit: Duration = .seconds(15), _ what: String, _ predicate: @escaping @Sendable (ConnectionState) -> Bool) async throws {
    let updates = client.stateUpdates()
    _ = try await within(limit, what) {
        for await state in updates where predicate(state) { return state }
        throw TimedOut(what: "\(what) (the client closed)")
    }
}

extension ClientCore {
    /// Whether a SUBSCRIBE awaits its SUBACK (read on the loop thread).
    var hasPendingSubscribe: Bool {
        get async {
            await withCheckedContinuation { continuation in
                loop.execute { continuation.resume(returning: !self.subscribeWaiters.isEmpty) }
            }
        }
    }
}

/// Checks `check` every `interval` until it gives a value, failing with ``TimedOut`` after `limit`: for the state
/// of another process that has no event to await (a terminal's screen, a file it writes). `check` can name what
/// it last saw in `lastSeen`, for the failure message.
func poll<T: Sendable>(_ what: String, every interval: Duration = .milliseconds(50), within limit: Duration = .seconds(15),
                       lastSeen: () -> String = { "" }, _ check: () throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try check() { return value }
        guard ContinuousClock.now < deadline else {
            let seen = lastSeen()
            throw TimedOut(what: seen.isEmpty ? what : "\(what); last seen:\n\(seen)")
        }
        try await Task.sleep(for: interval)
    }
}

/// The lines a child process writes to a pipe, read on a thread of their own, to await one by one.
final class LineReader: Sendable {
    private let lines = Mutex<[String]>([])
    private let (stream, sink) = AsyncStream.makeStream(of: Void.self)

    /// Starts reading `pipe` until its writer closes it.
    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            var pending = ""
            while case let data = handle.availableData, !data.isEmpty {
                pending += String(decoding: data, as: UTF8.self)
                while let end = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<end])
                    lines.withLock { $0.append(line) }
                    pending = String(pending[pending.index(after: end)...])
                }
                sink.yield()
            }
            sink.finish()
        }.start()
    }

    /// Everything read so far.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// The first line `accept` takes, once it is written; fails when the writer ends first or after `limit`.
    func first(_ what: String, within limit: Duration = .seconds(30), where accept: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await within(limit, what) { [self] in
            var wakes = stream.makeAsyncIterator()
            while true {
                if let line = lines.withLock({ $0.first(where: accept) }) { return line }
                guard await wakes.next() != nil else { throw TimedOut(what: "\(what): the output ended; it was:\n\(text)") }
            }
        }
    }
}

/// Runs a tool to its end without holding a thread of the cooperative pool (a test that blocked one, beside another
/// blocked test, left the server it was talking to without a thread: the suite hung); its output goes through a file.
func runTool(_ executable: String, _ arguments: [String]) async throws -> (ChildProcess.Termination, String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-tool-\(UUID().uuidString.prefix(8)).log")
    defer { try? FileManager.default.removeItem(at: log) }
    let child = try ChildProcess.spawn(executable, arguments, output: log.path)
    let ended = await child.waitForExit()
    return (ended, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}
