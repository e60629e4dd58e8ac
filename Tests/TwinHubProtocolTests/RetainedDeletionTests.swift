import Foundation
import Testing
import TwinHubProtocol
import TwinModel

/// An empty message on a machine's topic deletes a retained message, the standard MQTT way: the service takes it as
/// such, never as malformed JSON.
@Suite("Deleting a retained message")
struct RetainedDeletionTests {
    @Test("An empty status, state, counters, telemetry or desired message is counted as a deletion: no dead letter, the twin unchanged")
    func emptyMessages() throws {
        var feed = MachineFeed(service: try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil))
        feed.status(online: true, at: "06:00:00")
        feed.state(.running, from: .idle, at: "06:00:01")
        let before = try #require(feed.service.store.twins[feed.path])
        _ = feed.service.takePublished()
        let channels: [TopicMap.Channel] = [.status, .state, .counters, .telemetry, .desired]
        for channel in channels { feed.raw([], on: channel, at: "06:00:02") }
        #expect(feed.service.payloads(.deadLetter).isEmpty, "\(feed.service.payloads(.deadLetter).map { String(decoding: $0, as: UTF8.self) })")
        let after = try #require(feed.service.store.twins[feed.path])
        #expect(after.version == before.version && after.state == .running && after.connectivity.status == .online)
        feed.service.tick(at: at("06:00:03"))
        let metrics = try JSONCodec.decodeMetrics(try #require(feed.service.payloads(.metrics).last), maximumSize: JSONCodec.defaultMaximumSize)
        #expect(metrics.retainedDeleted == channels.count)
        #expect(metrics.deadLetters == 0 && metrics.decodeErrors.isEmpty)
    }
}
