import FleetView
import Foundation
import Testing
import TwinHubProtocol
import TwinModel
@testable import WebView

/// Shared feeds: every subscription of one filter, fields and rate gets the deltas one feed worked out, with its own
/// revisions, from the snapshot it was sent; one that missed an output catches up from the journal, and one whose feed
/// lost track is resynced.
@Suite("Delta feeds")
struct DeltaFeedTests {
    static let subscribe = #"{"op":"subscribe","id":"s","fields":["state","readings"],"max_rate":10}"#

    /// A fed session subscribed with `subscribe`, and the key of its feed.
    static func session(_ text: String = subscribe) throws -> (StreamSession, DeltaFeed.Key) {
        var session = StreamSession(fed: true)
        #expect(session.receive(Array(text.utf8)).isEmpty)
        return (session, try #require(session.feedKeys.first))
    }

    static func decode(_ frames: [[UInt8]]) throws -> [[String: Any]] {
        try frames.map { try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
    }

    /// A fleet, a fed session subscribed with `text` that has had its snapshot, and its feed.
    static func started(_ text: String = subscribe) throws -> (WebFleet, StreamSession, DeltaFeed.Key, DeltaFeed) {
        let fleet = WebAPITests.fleet()
        var (session, key) = try session(text)
        let feed = DeltaFeed(key, fleet: fleet, now: 0)
        #expect(try wake(&session, nil, key: key, fleet: fleet, at: 0).map { $0["type"] as? String } == ["snapshot"])
        return (fleet, session, key, feed)
    }

    /// What the session sends when woken: the output's frames, then any snapshot or catching up.
    static func wake(_ session: inout StreamSession, _ output: FeedOutput?, key: DeltaFeed.Key, fleet: WebFleet, at time: Double) throws -> [[String: Any]] {
        var frames = output.map { session.frames(for: $0, of: key, now: time) } ?? []
        if session.needsFleet { frames += session.frames(from: fleet, now: time) }
        return try decode(frames)
    }

    /// The feed's output at `time` (outside `#require`, which cannot take a mutating call).
    static func advance(_ feed: inout DeltaFeed, _ fleet: WebFleet, at time: Double) -> FeedOutput? {
        feed.advance(fleet, now: time)
    }

    static func vibration(_ frame: [String: Any], _ machine: String = "cnc-01") -> Double? {
        let twin = (frame["twins"] as? [String: [String: Any]])?["leuven/fabrication/line-2/\(machine)"]
        return ((twin?["readings"] as? [String: Any])?["vibration"] as? [String: Any])?["value"] as? Double
    }

    @Test("Two clients of one feed get the same delta, each with its own revisions; one that came later starts from its snapshot")
    func shared() throws {
        var fleet = WebAPITests.fleet()
        var (first, key) = try Self.session()
        var feed = DeltaFeed(key, fleet: fleet, now: 0)
        #expect(try Self.wake(&first, nil, key: key, fleet: fleet, at: 0).map { $0["type"] as? String } == ["snapshot"])
        StreamSessionTests.update(&fleet, vibration: 3, version: 43)
        let output = try #require(Self.advance(&feed, fleet, at: 0.1))
        let delta = try #require(try Self.wake(&first, output, key: key, fleet: fleet, at: 0.1).first)
        #expect(delta["type"] as? String == "delta" && delta["rev"] as? Int == 2 && Self.vibration(delta) == 3)

        var (second, _) = try Self.session()
        let snapshot = try Self.wake(&second, nil, key: key, fleet: fleet, at: 0.15)
        #expect(snapshot.map { $0["type"] as? String } == ["snapshot"] && Self.vibration(snapshot[0]) == 3)
        StreamSessionTests.update(&fleet, vibration: 4, version: 44)
        let next = try #require(Self.advance(&feed, fleet, at: 0.2))
        let toFirst = try Self.wake(&first, next, key: key, fleet: fleet, at: 0.2)
        let toSecond = try Self.wake(&second, next, key: key, fleet: fleet, at: 0.2)
        #expect(toFirst.map { $0["rev"] as? Int } == [3] && toSecond.map { $0["rev"] as? Int } == [2])
        #expect(Self.vibration(toFirst[0]) == 4 && Self.vibration(toSecond[0]) == 4)
        #expect(first.needsFleet == false, "a client that keeps up never reads the fleet itself")
    }

    @Test("A client that missed an output catches up from the journal, with the change that output carried")
    func catchUp() throws {
        var (fleet, session, key, feed) = try Self.started()
        StreamSessionTests.update(&fleet, "cnc-01", vibration: 3, version: 43)
        _ = try #require(Self.advance(&feed, fleet, at: 0.1), "an output the client never got")
        StreamSessionTests.update(&fleet, "cnc-02", vibration: 5, version: 43)
        let second = try #require(Self.advance(&feed, fleet, at: 0.2))
        #expect(second.delta.map { Self.vibration(["twins": try! JSONSerialization.jsonObject(with: Data($0.twins))], "cnc-01") } == .some(nil),
                "the feed's second delta has only cnc-02")
        let frames = try Self.wake(&session, second, key: key, fleet: fleet, at: 0.2)
        #expect(frames.map { $0["type"] as? String } == ["delta"])
        #expect(Self.vibration(frames[0], "cnc-01") == 3 && Self.vibration(frames[0], "cnc-02") == 5)
        #expect(frames[0]["rev"] as? Int == 2)

        // Back on the feed: the next output is taken as it is.
        StreamSessionTests.update(&fleet, "cnc-01", vibration: 6, version: 44)
        let third = try #require(Self.advance(&feed, fleet, at: 0.3))
        #expect(try Self.wake(&session, third, key: key, fleet: fleet, at: 0.3).map { Self.vibration($0) } == [6])
        #expect(!session.needsFleet)
    }

    @Test("A client told it fell behind (its outputs were dropped) catches up at the next wake")
    func fellBehind() throws {
        var (fleet, session, key, feed) = try Self.started()
        StreamSessionTests.update(&fleet, vibration: 3, version: 43)
        _ = feed.advance(fleet, now: 0.1)
        session.fellBehind()
        let frames = try Self.wake(&session, nil, key: key, fleet: fleet, at: 0.2)
        #expect(frames.map { Self.vibration($0) } == [3])
    }

    @Test("A delta in which nothing asked for changed is not sent, and the next one still follows on")
    func unchangedFields() throws {
        var (fleet, session, key, feed) = try Self.started(#"{"op":"subscribe","id":"s","fields":["state"],"max_rate":10}"#)
        StreamSessionTests.update(&fleet, vibration: 3, version: 43)
        #expect(Self.advance(&feed, fleet, at: 0.1) == nil, "only a reading changed")
        StreamSessionTests.update(&fleet, state: "idle", vibration: 3, version: 44)
        let output = try #require(Self.advance(&feed, fleet, at: 0.2))
        let frames = try Self.wake(&session, output, key: key, fleet: fleet, at: 0.2)
        #expect(frames.map { $0["type"] as? String } == ["delta"])
        #expect(((frames[0]["twins"] as? [String: [String: Any]])?["leuven/fabrication/line-2/cnc-01"]?["state"] as? String) == "idle")
        #expect(!session.needsFleet, "no gap seen")
    }

    @Test("Events go at every look, deltas at the rate")
    func eventsAtOnce() throws {
        var (fleet, session, key, feed) = try Self.started(#"{"op":"subscribe","id":"s","max_rate":1}"#)
        #expect(key.tickInterval == 0.25)
        StreamSessionTests.update(&fleet, connectivity: "offline", version: 43)
        let output = try #require(Self.advance(&feed, fleet, at: 0.25))
        #expect(output.delta == nil)
        #expect(try Self.wake(&session, output, key: key, fleet: fleet, at: 0.25).map { $0["type"] as? String } == ["connectivity"])
        let later = try #require(Self.advance(&feed, fleet, at: 1))
        #expect(try Self.wake(&session, later, key: key, fleet: fleet, at: 1).map { $0["type"] as? String } == ["delta"])
    }

    @Test("A feed further behind than the journal keeps resyncs its clients")
    func lost() throws {
        var fleet = WebFleet(model: FleetModel(broker: "b", root: "acme"), decoder: ServiceMessageDecoder(topics: WebAPITests.topics), journalCapacity: 4)
        StreamSessionTests.update(&fleet, version: 1)
        var (session, key) = try Self.session()
        var feed = DeltaFeed(key, fleet: fleet, now: 0)
        _ = try Self.wake(&session, nil, key: key, fleet: fleet, at: 0)
        for version in 2...10 { StreamSessionTests.update(&fleet, vibration: Double(version), version: version) }
        let output = try #require(Self.advance(&feed, fleet, at: 1))
        #expect(output.lost)
        let frames = try Self.wake(&session, output, key: key, fleet: fleet, at: 1)
        #expect(frames.map { $0["type"] as? String } == ["resync", "snapshot"])
        #expect(Self.vibration(frames[1]) == 10 && session.resyncs == 1)
    }

    @Test("A removed twin of a followed kind leaves; one of another kind is not mentioned")
    func removalByKind() throws {
        var (fleet, session, key, feed) = try Self.started(#"{"op":"subscribe","id":"s","filter":{"kinds":["press_brake"]}}"#)
        fleet.apply(topic: StreamSessionTests.cnc01, payload: [], at: StreamSessionTests.now)
        #expect(Self.advance(&feed, fleet, at: 1) == nil, "cnc-01 is not a press brake")
        fleet.apply(topic: "acme/leuven/fabrication/line-1/brake-01/twin", payload: [], at: StreamSessionTests.now)
        let output = try #require(Self.advance(&feed, fleet, at: 2))
        let frames = try Self.wake(&session, output, key: key, fleet: fleet, at: 2)
        #expect(frames.first?["removed"] as? [String] == ["leuven/fabrication/line-1/brake-01"])
    }
}
