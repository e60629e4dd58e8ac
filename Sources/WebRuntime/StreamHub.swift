import Synchronization
import WebView

/// The stream clients' shared feeds (``DeltaFeed``): one for each distinct filter, fields and rate, which looks at the
/// fleet at its pace while anyone follows it and hands each output to every ``StreamPump`` that does. A feed's
/// deltas are encoded once however many clients follow it.
final class StreamHub: Sendable {
    private struct Entry: Sendable {
        var feed: DeltaFeed
        /// Tells this feed's task from that of an earlier feed of the same key.
        let generation: Int
        var members: [ObjectIdentifier: StreamPump] = [:]
        var task: Task<Void, Never>?
    }

    private struct State: Sendable {
        var entries: [DeltaFeed.Key: Entry] = [:]
        var generations = 0
    }

    private let state = Mutex(State())
    private let start = ContinuousClock.now
    /// Outputs handed to pumps.
    private let delivered = Atomic<Int>(0)

    /// Seconds since the hub started: the clock of every stream's session.
    func now() -> Double { (ContinuousClock.now - start).secondsValue }

    /// The feeds running now.
    var feedCount: Int { state.withLock { $0.entries.count } }
    /// Outputs handed to pumps so far.
    var deliveredCount: Int { delivered.load(ordering: .relaxed) }

    /// `pump` follows the feed of `key`, started from the fleet as it is now if it is new.
    func join(_ key: DeltaFeed.Key, _ pump: StreamPump, server: WebServer) {
        server.fleet.withLock { fleet in
            state.withLock { state in
                if state.entries[key] == nil {
                    state.generations += 1
                    let generation = state.generations
                    var entry = Entry(feed: DeltaFeed(key, fleet: fleet, now: now()), generation: generation)
                    entry.task = Task { [self] in await run(key, generation: generation, server: server) }
                    state.entries[key] = entry
                }
                state.entries[key]!.members[ObjectIdentifier(pump)] = pump
            }
        }
    }

    /// `pump` no longer follows the feed of `key`; a feed nobody follows stops.
    func leave(_ key: DeltaFeed.Key, _ pump: StreamPump) {
        state.withLock { state in
            state.entries[key]?.members[ObjectIdentifier(pump)] = nil
            if let entry = state.entries[key], entry.members.isEmpty {
                entry.task?.cancel()
                state.entries[key] = nil
            }
        }
    }

    private func run(_ key: DeltaFeed.Key, generation: Int, server: WebServer) async {
        let interval = Duration.seconds(key.tickInterval)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let now = now()
            let output: FeedOutput? = server.fleet.withLock { fleet in
                state.withLock { state in
                    guard state.entries[key]?.generation == generation else { return nil }
                    return state.entries[key]!.feed.advance(fleet, now: now)
                }
            }
            guard let output else { continue }
            let members = state.withLock { state in state.entries[key].map { Array($0.members.values) } ?? [] }
            for member in members { member.deliver(output, of: key) }
            delivered.add(members.count, ordering: .relaxed)
        }
    }
}
