import Foundation
import Synchronization
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// Fetches a machine's history document on demand: the twin service keeps it retained on the machine's `history`
/// topic, so a short subscription brings the latest at once. Kept for a moment, so a page that polls a machine's
/// sparklines does not subscribe with every request.
final class HistoryFetcher: Sendable {
    let client: MQTTClient
    let decoder: ServiceMessageDecoder
    /// How long the broker may take to deliver the retained history.
    let timeout: Duration
    /// How long a fetched history is served again.
    let freshness: Duration
    private let cache = Mutex<[PlantPath: (document: [UInt8], at: ContinuousClock.Instant)]>([:])

    init(client: MQTTClient, decoder: ServiceMessageDecoder, timeout: Duration = .seconds(2), freshness: Duration = .seconds(2)) {
        self.client = client
        self.decoder = decoder
        self.timeout = timeout
        self.freshness = freshness
    }

    /// The latest history document of `machine`; `nil` when none comes within the timeout (the twin service has
    /// published none).
    func document(for machine: PlantPath) async throws -> [UInt8]? {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[machine] }), now - cached.at < freshness { return cached.document }
        let subscription = try await client.subscribe(to: [decoder.historyTopic(for: machine)], qos: .atMostOnce, bufferCapacity: 4)
        defer { subscription.cancel() }
        let timeout = self.timeout
        let document = await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                for await message in subscription where !message.payload.isEmpty { return message.payload }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            subscription.cancel()
            return first
        }
        if let document {
            cache.withLock { cache in
                cache = cache.filter { ContinuousClock.now - $0.value.at < freshness }
                cache[machine] = (document, .now)
            }
        }
        return document
    }
}
