import Foundation
import Logging
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

    /// The roots with a twin service on the broker (one or two levels deep), waiting up to `wait` for retained messages.
    public static func roots(_ configuration: ClientConfiguration, wait: Duration = .seconds(2), logger: Logger) async throws -> [String] {
        try await MQTTClient.withConnection(configuration, logger: logger) { client in
            let subscription = try await client.subscribe(to: ["+/_twinhub/metrics", "+/+/_twinhub/metrics"])
            return await withTaskGroup(of: [String].self) { group in
                group.addTask {
                    var roots: Set<String> = []
                    for await message in subscription where message.retain {
                        roots.insert(String(message.topic.dropLast("/_twinhub/metrics".count)))
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

    /// The one root on the broker.
    /// - Throws: ``Failure`` when there is none or several.
    public static func single(_ configuration: ClientConfiguration, logger: Logger) async throws -> String {
        let found = try await roots(configuration, logger: logger)
        guard found.count == 1 else { throw Failure(roots: found, broker: configuration.broker.description) }
        return found[0]
    }
}
