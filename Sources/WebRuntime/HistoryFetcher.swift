import Foundation
import Synchronization
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import WebView

/// Fetches a machine's history document on demand: the twin service keeps it retained on the machine's `history`
/// topic, so a short subscription brings the latest at once.
///
/// What a fetch found (a document, or none within the timeout) is kept for a moment, so a page that polls a machine's
/// sparklines does not subscribe with every request; requests for a machine whose fetch is under way wait for that
/// one. At most ``maximumFetches`` machines are fetched at once: beyond, a request is refused with 503 rather than
/// opening a subscription per request.
final class HistoryFetcher: Sendable {
    let client: MQTTClient
    let decoder: ServiceMessageDecoder
    /// How long the broker may take to deliver the retained history.
    let timeout: Duration
    /// How long what a fetch found is served again.
    let freshness: Duration
    /// Machines fetched at once, at most.
    let maximumFetches: Int
    private let state = Mutex(State())

    private enum Lookup {
        case found([UInt8]?)
        case fetch(Task<Result<[UInt8]?, APIProblem>, Never>)
    }

    private struct State {
        var found: [PlantPath: (document: [UInt8]?, at: ContinuousClock.Instant)] = [:]
        var underWay: [PlantPath: Task<Result<[UInt8]?, APIProblem>, Never>] = [:]
    }

    init(client: MQTTClient, decoder: ServiceMessageDecoder, timeout: Duration = .seconds(2), freshness: Duration = .seconds(2),
         maximumFetches: Int = 64) {
        self.client = client
        self.decoder = decoder
        self.timeout = timeout
        self.freshness = freshness
        self.maximumFetches = maximumFetches
    }

    /// The latest history document of `machine`; `nil` when none comes within the timeout (the twin service has
    /// published none).
    /// - Throws: ``APIProblem`` 503 when ``maximumFetches`` other machines are being fetched, or the broker cannot be
    ///   asked.
    func document(for machine: PlantPath) async throws(APIProblem) -> [UInt8]? {
        let now = ContinuousClock.now
        let lookup: Lookup = try state.withLock { (state) throws(APIProblem) in
            // Found lately: served as it was (a page polling sparklines takes no task per request).
            if let found = state.found[machine], now - found.at < freshness { return .found(found.document) }
            if let fetch = state.underWay[machine] { return .fetch(fetch) }
            guard state.underWay.count < maximumFetches else {
                throw APIProblem(status: 503, title: "Service Unavailable",
                                 detail: "\(maximumFetches) machines' histories are being fetched already; try again in a moment")
            }
            let fetch = Task { await self.fetch(machine) }
            state.underWay[machine] = fetch
            return .fetch(fetch)
        }
        switch lookup {
        case .found(let document): return document
        case .fetch(let fetch): return try await fetch.value.get()
        }
    }

    /// Fetches over MQTT and keeps what was found.
    private func fetch(_ machine: PlantPath) async -> Result<[UInt8]?, APIProblem> {
        let result = await subscribeAndWait(machine)
        state.withLock { state in
            let now = ContinuousClock.now
            state.underWay[machine] = nil
            state.found = state.found.filter { now - $0.value.at < freshness }
            if case .success(let document) = result { state.found[machine] = (document, now) }
        }
        return result
    }

    private func subscribeAndWait(_ machine: PlantPath) async -> Result<[UInt8]?, APIProblem> {
        let subscription: MQTTSubscription
        do {
            subscription = try await client.subscribe(to: [decoder.historyTopic(for: machine)], qos: .atMostOnce, bufferCapacity: 4)
        } catch {
            return .failure(APIProblem(status: 503, title: "Service Unavailable", detail: "cannot ask the broker for the history: \(error)"))
        }
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
        return .success(document)
    }

    /// Fetches under way, for tests.
    var fetchesUnderWay: Int { state.withLock { $0.underWay.count } }
}
