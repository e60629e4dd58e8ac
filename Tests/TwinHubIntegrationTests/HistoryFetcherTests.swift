import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
@testable import WebRuntime
import WebView

/// The web server's fetches of retained history documents, against a real broker.
@Suite("History fetches", .timeLimit(.minutes(1)))
struct HistoryFetcherTests {
    static let decoder = ServiceMessageDecoder(topics: AlertServiceTests.topics)
    static func machine(_ name: String) -> PlantPath { PlantPath(site: "site", area: "area", line: "line", machine: name) }

    @Test("A retained history comes at once; requests for a machine being fetched share its fetch; past the limit of machines fetched at once a request is refused with 503; what a fetch found, even nothing, is served again for a moment")
    func fetches() async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url)
            let document = Array(#"{"history":"of a"}"#.utf8)
            try await client.publish(to: Self.decoder.historyTopic(for: Self.machine("a")), payload: document, qos: .atLeastOnce, retain: true)
            let fetcher = HistoryFetcher(client: client, decoder: Self.decoder, timeout: .seconds(1), freshness: .seconds(30), maximumFetches: 1)
            #expect(try await fetcher.document(for: Self.machine("a")) == document)

            // Machine b has no history: its fetch waits out the timeout, and holds the one place meanwhile.
            async let first = fetcher.document(for: Self.machine("b"))
            try await within(.seconds(10), "the fetch of b to begin") {
                while fetcher.fetchesUnderWay == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            async let second = fetcher.document(for: Self.machine("b"))
            let refusal = await #expect(throws: APIProblem.self) { try await fetcher.document(for: Self.machine("c")) }
            #expect(refusal?.status == 503)
            #expect(try await first == nil)
            #expect(try await second == nil, "b's second request joined the fetch under way (a fetch of its own would have been refused)")
            #expect(fetcher.fetchesUnderWay == 0)

            // Found nothing, served again without a fetch: a retained history published now is not seen until it ages.
            try await client.publish(to: Self.decoder.historyTopic(for: Self.machine("b")), payload: document, qos: .atLeastOnce, retain: true)
            #expect(try await fetcher.document(for: Self.machine("b")) == nil)
            #expect(try await fetcher.document(for: Self.machine("c")) == nil, "the place is free again: c is fetched (and has nothing)")
            await client.disconnect()
        }
    }
}
