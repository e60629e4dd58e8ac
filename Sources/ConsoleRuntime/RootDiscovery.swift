import Foundation
import Logging
import Synchronization
import TwinHubMQTT

/// Finds the topic roots that have a twin service, from their retained `{root}/_twinhub/metrics`.
public enum RootDiscovery {
    /// Why no single root was found.
    public struct Failure: Error, CustomStringConvertible {
        public var roots: [String]
        public var broker: String

        public var description: String {
            roots.isEmpty
                ? "no twin service found on \(broker) (no retained {root}/_twinhub/metrics): start twinhub serve, or give --root"
                : "several fleets on \(broker): \(roots.joined(separator: ", ")); choose one with --root"
        }
    }

    /// A service's metrics under a root one or two levels deep.
    private static let metricsFilters = ["+/_twinhub/metrics", "+/+/_twinhub/metrics"]

    /// The root of a metrics topic.
    private static func root(of topic: String) -> String { String(topic.dropLast("/_twinhub/metrics".count)) }

    /// The roots with a twin service on the broker (one or two levels deep), waiting up to `wait` for retained messages.
    public static func roots(_ configuration: ClientConfiguration, wait: Duration = .seconds(2), logger: Logger) async throws -> [String] {
        try await MQTTClient.withConnection(configuration, logger: logger) { client in
            let subscription = try await client.subscribe(to: metricsFilters)
            return await withTaskGroup(of: [String].self) { group in
                group.addTask {
                    var roots: Set<String> = []
                    for await message in subscription where message.retain {
                        roots.insert(root(of: message.topic))
                    }
                    return roots.sorted()
                }
                group.addTask {
                    try? await Task.sleep(for: wait)
                    subscription.cancel()
                    return []
                }
                var found: Set<String> = []
                for await roots in group { found.formUnion(roots) }
                return found.sorted()
            }
        }
    }

    /// The one root on the broker. While there is none, says so once through `waiting` and waits for a twin service
    /// to start (it publishes its metrics at once), up to `timeout` (`nil`: as long as it takes).
    /// - Throws: ``Failure`` when there are several, or none before the timeout.
    public static func single(_ configuration: ClientConfiguration, timeout: Duration?, logger: Logger,
                              waiting: @escaping @Sendable (String) -> Void) async throws -> String {
        var found = try await roots(configuration, logger: logger)
        if found.isEmpty {
            waiting("no twin service on \(configuration.broker) yet (no {root}/_twinhub/metrics): waiting for one"
                    + (timeout.map { " for \(String(format: "%g", Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18)) s" } ?? "") + "; start twinhub serve, or give --root")
            found = try await firstRoots(configuration, timeout: timeout, logger: logger)
        }
        guard found.count == 1 else { throw Failure(roots: found, broker: configuration.broker.description) }
        return found[0]
    }

    /// The roots whose service publishes its metrics first (retained or not), and any others within a second of it;
    /// none after `timeout` without one.
    private static func firstRoots(_ configuration: ClientConfiguration, timeout: Duration?, logger: Logger) async throws -> [String] {
        try await MQTTClient.withConnection(configuration, logger: logger) { client in
            let subscription = try await client.subscribe(to: metricsFilters)
            let roots = SeenRoots()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var settling: Task<Void, Never>?
                    for await message in subscription {
                        roots.insert(root(of: message.topic))
                        // A second fleet that starts with this one shows within a second.
                        settling = settling ?? Task {
                            try? await Task.sleep(for: .seconds(1))
                            subscription.cancel()
                        }
                    }
                    settling?.cancel()
                }
                if let timeout {
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        if roots.sorted.isEmpty { subscription.cancel() }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            return roots.sorted
        }
    }

    /// The roots seen so far, shared by the task that reads and the one that times out.
    private final class SeenRoots: Sendable {
        private let roots = Mutex<Set<String>>([])

        func insert(_ root: String) { roots.withLock { _ = $0.insert(root) } }
        var sorted: [String] { roots.withLock { $0.sorted() } }
    }
}
