import FleetView
import Foundation
import Testing
import TwinHubProtocol
import TwinModel
@testable import WebView

/// The stream's pure session: snapshot, deltas of changed fields at most at the subscription's rate, events at once,
/// a resync for a client that fell behind, and errors that say where.
@Suite("Stream session")
struct StreamSessionTests {
    static let now = Date(timeIntervalSince1970: 1_772_431_200)
    static let cnc01 = "acme/leuven/fabrication/line-2/cnc-01/twin"

    static func frames(_ session: inout StreamSession, _ fleet: WebFleet, at time: Double) throws -> [[String: Any]] {
        try session.frames(from: fleet, now: time).map { try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
    }

    static func reply(_ session: inout StreamSession, _ text: String) throws -> [[String: Any]] {
        try session.receive(Array(text.utf8)).map { try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
    }

    static func update(_ fleet: inout WebFleet, _ machine: String = "cnc-01", state: String = "running", connectivity: String = "online",
                       vibration: Double = 2.12, version: Int) {
        fleet.apply(topic: "acme/leuven/fabrication/line-2/\(machine)/twin",
                    payload: Array(WebAPITests.twin(machine, state: state, connectivity: connectivity, vibration: vibration, version: version).utf8), at: now)
    }

    @Test("A snapshot of what the filter matches, with the fields asked for; then deltas of only what changed, revisions one apart")
    func snapshotThenDeltas() throws {
        var fleet = WebAPITests.fleet()
        var session = StreamSession()
        #expect(try Self.reply(&session, #"{"op":"subscribe","id":"s","filter":{"path":"+/+/line-2/#"},"fields":["state","readings.vibration"],"max_rate":10}"#).isEmpty)
        let snapshot = try #require(try Self.frames(&session, fleet, at: 0).first)
        #expect(snapshot["type"] as? String == "snapshot" && snapshot["rev"] as? Int == 1)
        let twins = try #require(snapshot["twins"] as? [String: [String: Any]])
        #expect(Set(twins.keys) == ["leuven/fabrication/line-2/cnc-01", "leuven/fabrication/line-2/cnc-02"])
        #expect(Set(twins["leuven/fabrication/line-2/cnc-01"]!.keys) == ["state", "readings"])

        Self.update(&fleet, vibration: 3.5, version: 43)
        let delta = try #require(try Self.frames(&session, fleet, at: 0.2).first)
        #expect(delta["type"] as? String == "delta" && delta["rev"] as? Int == 2)
        let changed = try #require((delta["twins"] as? [String: [String: Any]])?["leuven/fabrication/line-2/cnc-01"])
        #expect(changed.keys.sorted() == ["readings"], "the state did not change; the version is not asked for")
        #expect(((changed["readings"] as? [String: Any])?["vibration"] as? [String: Any])?["value"] as? Double == 3.5)
        #expect(try Self.frames(&session, fleet, at: 0.4).isEmpty, "nothing changed")
    }

    @Test("Between two deltas changes wait, and the delta carries the latest value")
    func rateLimit() throws {
        var fleet = WebAPITests.fleet()
        var session = StreamSession()
        _ = try Self.reply(&session, #"{"op":"subscribe","id":"s","fields":["readings"],"max_rate":2}"#)
        _ = try Self.frames(&session, fleet, at: 0)
        Self.update(&fleet, vibration: 3, version: 43)
        #expect(try Self.frames(&session, fleet, at: 0.1).isEmpty, "within 0.5 s of the snapshot")
        Self.update(&fleet, vibration: 4, version: 44)
        let delta = try #require(try Self.frames(&session, fleet, at: 0.6).first)
        let readings = ((delta["twins"] as? [String: [String: Any]])?["leuven/fabrication/line-2/cnc-01"]?["readings"] as? [String: [String: Any]])
        #expect(readings?["vibration"]?["value"] as? Double == 4)
        #expect(delta["rev"] as? Int == 2)
    }

    @Test("Alert events and connectivity changes come at once, for the machines a subscription follows")
    func events() throws {
        var fleet = WebAPITests.fleet()
        var session = StreamSession()
        _ = try Self.reply(&session, #"{"op":"subscribe","id":"cnc","filter":{"twins":["leuven/fabrication/line-2/cnc-01"]},"max_rate":1}"#)
        _ = try Self.frames(&session, fleet, at: 0)
        let event = #"{"event":"raised","ts":"2026-03-02T07:00:00.000Z","alert":"# + WebAPITests.alert("cnc-01", rule: "spindle_overheat") + "}"
        fleet.apply(topic: "acme/_alerts/events", payload: Array(event.utf8), at: Self.now)
        let other = #"{"event":"raised","ts":"2026-03-02T07:00:00.000Z","alert":"# + WebAPITests.alert("cnc-02", rule: "spindle_overheat") + "}"
        fleet.apply(topic: "acme/_alerts/events", payload: Array(other.utf8), at: Self.now)
        Self.update(&fleet, connectivity: "offline", version: 43)
        let frames = try Self.frames(&session, fleet, at: 0.1)
        #expect(frames.map { $0["type"] as? String } == ["alert", "connectivity"], "cnc-02's event is not followed; the delta waits a second")
        #expect(((frames[0]["event"] as? [String: Any])?["alert"] as? [String: Any])?["machine"] as? String == "cnc-01")
        #expect(frames[1]["status"] as? String == "offline")
    }

    @Test("A client further behind than the journal keeps gets a resync and a fresh snapshot")
    func resync() throws {
        var fleet = WebFleet(model: FleetModel(broker: "b", root: "acme"), decoder: ServiceMessageDecoder(topics: WebAPITests.topics), journalCapacity: 4)
        Self.update(&fleet, version: 1)
        var session = StreamSession()
        _ = try Self.reply(&session, #"{"op":"subscribe","id":"s"}"#)
        _ = try Self.frames(&session, fleet, at: 0)
        for version in 2...10 { Self.update(&fleet, vibration: Double(version), version: version) }
        let frames = try Self.frames(&session, fleet, at: 1)
        #expect(frames.map { $0["type"] as? String } == ["resync", "snapshot"])
        #expect(frames[1]["rev"] as? Int == 2)
        #expect(session.resyncs == 1)
    }

    @Test("A new client of a fleet whose journal has moved on gets a snapshot, not a resync")
    func newClientOfAnOldFleet() throws {
        var fleet = WebFleet(model: FleetModel(broker: "b", root: "acme"), decoder: ServiceMessageDecoder(topics: WebAPITests.topics), journalCapacity: 4)
        for version in 1...10 { Self.update(&fleet, vibration: Double(version), version: version) }
        var session = StreamSession()
        _ = try Self.reply(&session, #"{"op":"subscribe","id":"s"}"#)
        #expect(try Self.frames(&session, fleet, at: 0).map { $0["type"] as? String } == ["snapshot"])
        #expect(session.resyncs == 0)
    }

    @Test("A removed twin leaves in a delta")
    func removal() throws {
        var fleet = WebAPITests.fleet()
        var session = StreamSession()
        _ = try Self.reply(&session, #"{"op":"subscribe","id":"s"}"#)
        _ = try Self.frames(&session, fleet, at: 0)
        fleet.apply(topic: Self.cnc01, payload: [], at: Self.now)
        let delta = try #require(try Self.frames(&session, fleet, at: 1).first)
        #expect(delta["removed"] as? [String] == ["leuven/fabrication/line-2/cnc-01"])
    }

    @Test("Bad messages get an error saying where and why, and are counted", arguments: [
        ("{", "not JSON", ""),
        (#"[1]"#, "a message is a JSON object", ""),
        (#"{"op":"dance"}"#, "unknown op 'dance'", "/op"),
        (#"{"op":"subscribe","filter":{"path":"a/#/b"}}"#, "'#' may only be the last level", "/filter/path"),
        (#"{"op":"subscribe","fields":["state","colour"]}"#, "unknown field 'colour'", "/fields/1"),
        (#"{"op":"subscribe","max_rate":120}"#, "from 0.1 to 60", "/max_rate"),
        (#"{"op":"subscribe","max_rate":1e-300}"#, "from 0.1 to 60", "/max_rate"),
        (#"{"op":"subscribe","filter":{"twins":["a/b"]}}"#, "not a machine's path", "/filter/twins/0"),
        (#"{"op":"subscribe","filter":{"kinds":"press"}}"#, "must be an array of strings", "/filter/kinds"),
        (#"{"op":"unsubscribe","id":"nope"}"#, "no subscription 'nope'", "/id"),
    ])
    func badMessages(text: String, reason: String, pointer: String) throws {
        var session = StreamSession()
        let reply = try #require(try Self.reply(&session, text).first)
        #expect(reply["type"] as? String == "error")
        #expect((reply["reason"] as? String)?.contains(reason) == true, "\(reply)")
        #expect(reply["at"] as? String == pointer)
        #expect(session.refused == 1)
    }

    @Test("At most 32 subscriptions a connection; a subscription of the same id replaces its own")
    func subscriptionLimit() throws {
        var session = StreamSession()
        for index in 0..<StreamSession.maximumSubscriptions { #expect(try Self.reply(&session, #"{"op":"subscribe","id":"s\#(index)"}"#).isEmpty) }
        #expect(try Self.reply(&session, #"{"op":"subscribe","id":"s0","max_rate":1}"#).isEmpty)
        let refused = try #require(try Self.reply(&session, #"{"op":"subscribe","id":"one-more"}"#).first)
        #expect((refused["reason"] as? String)?.contains("at most 32") == true)
        #expect(try Self.reply(&session, #"{"op":"ping"}"#).first?["type"] as? String == "pong")
    }
}
