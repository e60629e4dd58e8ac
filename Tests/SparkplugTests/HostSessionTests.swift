import Testing
@testable import SparkplugB

@Suite("Host session")
struct HostSessionTests {

    static func topic(_ verb: SparkplugVerb) -> String {
        verb.isDeviceVerb ? "spBv1.0/plant1/\(verb.rawValue)/assembly:line1/cnc1" : "spBv1.0/plant1/\(verb.rawValue)/assembly:line1"
    }

    static let deviceBirthMetrics: [SparkplugMetric] = Fixture.deviceMetrics.enumerated().map { index, definition in
        SparkplugMetric(name: definition.name, alias: UInt64(10 + index), dataType: definition.dataType, value: definition.value,
                        properties: definition.properties)
    }

    /// A host that saw the NBIRTH (bdSeq 5, seq 0) and the DBIRTH (seq 1) of the fixture node and device.
    static func hostWithBirths() -> HostSession {
        var host = HostSession(configuration: try! .init(hostID: "twinhub"))
        _ = host.handle(.received(topic: topic(.nbirth), payload: SparkplugPayload.nodeBirth(bdSeq: 5, timestamp: Fixture.t0, metrics: [
            SparkplugMetric(name: "Uptime", alias: 1, value: .int64(0)),
        ]).encoded(), now: Fixture.t0))
        _ = host.handle(.received(topic: topic(.dbirth), payload: SparkplugPayload.deviceBirth(seq: 1, timestamp: Fixture.t0, metrics: deviceBirthMetrics).encoded(),
                                  now: Fixture.t0))
        return host
    }

    static func ddata(seq: UInt8, parts: Int64, at time: UInt64 = Fixture.t0) -> [UInt8] {
        SparkplugPayload.data(seq: seq, timestamp: time, metrics: [SparkplugMetric(alias: 12, value: .int64(parts))]).encoded()
    }

    /// The parts counts the actions report, in order.
    static func parts(_ actions: [HostSession.Action]) -> [Int64] {
        actions.flatMap { action -> [Int64] in
            guard case .updated(_, let updates) = action else { return [] }
            return updates.compactMap { if case .int64(let value)? = $0.value, $0.name == "parts" { value } else { nil } }
        }
    }

    @Test("The host's STATE will and birth are retained QoS 1 JSON with the connect time")
    func state() throws {
        var host = HostSession(configuration: try .init(hostID: "twinhub"))
        let connect = host.handle(.connecting(now: 42))
        #expect(connect == [.connect(will: SparkplugPublication(topic: .state(hostID: "twinhub"), payload: HostState(online: false, timestamp: 42).encoded(), qos: 1, retain: true))])
        let connected = host.handle(.connected(now: 50))
        #expect(connected.first == .subscribe(["spBv1.0/#"]))
        #expect(connected.publications == [SparkplugPublication(topic: .state(hostID: "twinhub"), payload: HostState(online: true, timestamp: 42).encoded(), qos: 1, retain: true)])
        // An old will delivered while connected is answered with the birth again.
        let echo = host.handle(.received(topic: "spBv1.0/STATE/twinhub", payload: HostState(online: false, timestamp: 42).encoded(), now: 60))
        #expect(echo.publications.map { try? HostState(decoding: $0.payload) } == [HostState(online: true, timestamp: 42)])
        let leave = host.handle(.disconnecting(now: 70))
        #expect(leave.publications.map { try? HostState(decoding: $0.payload) } == [HostState(online: false, timestamp: 70)])
        #expect(leave.last == .disconnect)
    }

    @Test("Births bring the node and device online with every metric named, typed and with its unit")
    func births() throws {
        var host = HostSession(configuration: try .init(hostID: "twinhub"))
        let node = host.handle(.received(topic: Self.topic(.nbirth), payload: SparkplugPayload.nodeBirth(bdSeq: 5, timestamp: Fixture.t0, metrics: []).encoded(), now: 1))
        guard case .online(.node(Fixture.node), let nodeMetrics)? = node.first else { Issue.record("\(node)"); return }
        #expect(nodeMetrics.map(\.name) == ["bdSeq", "Node Control/Rebirth"])
        let device = host.handle(.received(topic: Self.topic(.dbirth), payload: SparkplugPayload.deviceBirth(seq: 1, timestamp: Fixture.t0, metrics: Self.deviceBirthMetrics).encoded(), now: 2))
        #expect(device == [.online(.device(Fixture.device), metrics: [
            HostSession.MetricUpdate(name: "spindle_speed", value: .double(12_000), dataType: .double, unit: "rpm", timestamp: Fixture.t0),
            HostSession.MetricUpdate(name: "State", value: .string("running"), dataType: .string, unit: nil, timestamp: Fixture.t0),
            HostSession.MetricUpdate(name: "parts", value: .int64(0), dataType: .int64, unit: nil, timestamp: Fixture.t0),
        ])])
        #expect(host.isOnline(Fixture.node))
    }

    @Test("Data by alias comes out named, typed, with the unit and the metric's timestamp")
    func data() {
        var host = Self.hostWithBirths()
        let payload = SparkplugPayload.data(seq: 2, timestamp: Fixture.t0 + 5, metrics: [SparkplugMetric(alias: 10, value: .double(11_000), timestamp: Fixture.t0 + 4)])
        let actions = host.handle(.received(topic: Self.topic(.ddata), payload: payload.encoded(), now: 99))
        #expect(actions == [.updated(.device(Fixture.device), [
            HostSession.MetricUpdate(name: "spindle_speed", value: .double(11_000), dataType: .double, unit: "rpm", timestamp: Fixture.t0 + 4),
        ])])
    }

    @Test("A gap holds later messages; when the reorder timeout passes the host asks for a rebirth")
    func gapTimesOut() throws {
        var host = Self.hostWithBirths()
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 3, parts: 3), now: 1_000)).isEmpty)
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 4, parts: 4), now: 1_500)).isEmpty)
        #expect(host.handle(.tick(now: 2_999)).isEmpty)
        let expired = host.handle(.tick(now: 3_000))
        #expect(expired.rebirthRequests == [Fixture.node])
        let request = try #require(expired.publications.first)
        #expect(request.topic == .node(.ncmd, Fixture.node))
        #expect(try request.decoded().isRebirthRequest)
        // The missing message after the request changes nothing: sequenced messages wait for the NBIRTH.
        #expect(Self.parts(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 2, parts: 2), now: 3_100))).isEmpty)
        // The NBIRTH restarts the session.
        let rebirth = host.handle(.received(topic: Self.topic(.nbirth), payload: SparkplugPayload.nodeBirth(bdSeq: 5, timestamp: 4, metrics: []).encoded(), now: 4_000))
        #expect(rebirth.count == 1)
        #expect(host.handle(.received(topic: Self.topic(.dbirth), payload: SparkplugPayload.deviceBirth(seq: 1, timestamp: 4, metrics: Self.deviceBirthMetrics).encoded(), now: 4_001)).count == 1)
        #expect(Self.parts(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 2, parts: 7), now: 4_002))) == [7])
    }

    @Test("A late message within the reorder timeout fills the gap and the held ones follow in order")
    func lateMessageFillsGap() {
        var host = Self.hostWithBirths()
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 4, parts: 4), now: 1_000)).isEmpty)
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 3, parts: 3), now: 1_100)).isEmpty)
        let filled = host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 2, parts: 2), now: 2_900))
        #expect(Self.parts(filled) == [2, 3, 4])
        #expect(host.handle(.tick(now: 10_000)).isEmpty)
        #expect(Self.parts(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 5, parts: 5), now: 10_001))) == [5])
    }

    @Test("seq wraps from 255 to 0 without a gap")
    func seqWraps() {
        var host = Self.hostWithBirths()
        var seen: [Int64] = []
        for step in 2...300 {
            seen += Self.parts(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: UInt8(step % 256), parts: Int64(step)), now: UInt64(step))))
        }
        #expect(seen == Array(2...300).map(Int64.init))
    }

    @Test("An alias no birth named asks for a rebirth")
    func unknownAlias() {
        var host = Self.hostWithBirths()
        let payload = SparkplugPayload.data(seq: 2, timestamp: 1, metrics: [SparkplugMetric(alias: 99, value: .int64(1))]).encoded()
        let actions = host.handle(.received(topic: Self.topic(.ddata), payload: payload, now: 5))
        #expect(actions.rebirthRequests == [Fixture.node])
        guard case .rebirthRequested(_, let reason)? = actions.last else { return }
        #expect(reason.contains("alias 99"))
    }

    @Test("Data before a birth asks for a rebirth, at most once per reorder timeout")
    func dataBeforeBirth() {
        var host = HostSession(configuration: try! .init(hostID: "twinhub"))
        #expect(host.handle(.received(topic: Self.topic(.ndata), payload: Self.ddata(seq: 7, parts: 1), now: 0)).rebirthRequests == [Fixture.node])
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 8, parts: 1), now: 1_000)).isEmpty)
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 9, parts: 1), now: 2_000)).rebirthRequests == [Fixture.node])

        // A DDATA of a device without a DBIRTH, too.
        var born = HostSession(configuration: try! .init(hostID: "twinhub"))
        _ = born.handle(.received(topic: Self.topic(.nbirth), payload: SparkplugPayload.nodeBirth(bdSeq: 1, timestamp: 1, metrics: []).encoded(), now: 1))
        #expect(born.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 1, parts: 1), now: 2)).rebirthRequests == [Fixture.node])
    }

    @Test("An NDEATH with another session's bdSeq is ignored")
    func staleDeath() {
        var host = Self.hostWithBirths()
        let actions = host.handle(.received(topic: Self.topic(.ndeath), payload: SparkplugPayload.nodeDeath(bdSeq: 4).encoded(), now: 10))
        guard case .ignored(_, let reason)? = actions.first, actions.count == 1 else { Issue.record("\(actions)"); return }
        #expect(reason.contains("bdSeq 4") && reason.contains("5"))
        #expect(host.isOnline(Fixture.node))
        #expect(Self.parts(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 2, parts: 2), now: 11))) == [2])
    }

    @Test("An NDEATH marks the node and all its devices offline with every metric stale")
    func nodeDeath() {
        var host = Self.hostWithBirths()
        let actions = host.handle(.received(topic: Self.topic(.ndeath), payload: SparkplugPayload.nodeDeath(bdSeq: 5).encoded(), now: 77))
        #expect(actions == [
            .offline(.node(Fixture.node), at: 77, staleMetrics: ["bdSeq", "Node Control/Rebirth", "Uptime"]),
            .offline(.device(Fixture.device), at: 77, staleMetrics: ["spindle_speed", "State", "parts"]),
        ])
        #expect(!host.isOnline(Fixture.node))
        // A second NDEATH (the will after a clean death) changes nothing.
        #expect(host.handle(.received(topic: Self.topic(.ndeath), payload: SparkplugPayload.nodeDeath(bdSeq: 5).encoded(), now: 78)).count == 1)
    }

    @Test("A DDEATH marks one device offline with its metrics stale, at the DDEATH's time")
    func deviceDeath() {
        var host = Self.hostWithBirths()
        let actions = host.handle(.received(topic: Self.topic(.ddeath), payload: SparkplugPayload.deviceDeath(seq: 2, timestamp: 555).encoded(), now: 600))
        #expect(actions == [.offline(.device(Fixture.device), at: 555, staleMetrics: ["spindle_speed", "State", "parts"])])
        #expect(host.isOnline(Fixture.node))
        #expect(host.handle(.received(topic: Self.topic(.ddata), payload: Self.ddata(seq: 3, parts: 1), now: 601)).rebirthRequests == [Fixture.node])
    }

    @Test("An edge node TwinHub did not write: names in data, datatypes given, no aliases, no properties")
    func foreignEdgeNode() throws {
        var host = HostSession(configuration: try .init(hostID: "twinhub"))
        let birth = ProtoPayload.raw(seq: 0, metrics: [.raw("bdSeq", .uint64) { $0.longValue = 0 }, .raw("Tank/Level", .uint16) { $0.intValue = 40 }])
        _ = host.handle(.received(topic: Self.topic(.nbirth), payload: try birth.serializedBytes(), now: 1))
        let data = ProtoPayload.raw(timestamp: 2, seq: 1, metrics: [.raw("Tank/Level", nil) { $0.intValue = 41 }])
        let actions = host.handle(.received(topic: Self.topic(.ndata), payload: try data.serializedBytes(), now: 2))
        #expect(actions == [.updated(.node(Fixture.node), [HostSession.MetricUpdate(name: "Tank/Level", value: .uint16(41), dataType: .uint16, unit: nil, timestamp: 2)])])
    }

    @Test("Bad topics and payloads are refused, never fatal")
    func refused() {
        var host = Self.hostWithBirths()
        for (topic, payload) in [("spBv1.0/plant1/NDATA", [UInt8]()), (Self.topic(.ddata), [0xFF]), (Self.topic(.nbirth), [])] {
            let actions = host.handle(.received(topic: topic, payload: payload, now: 1))
            guard case .refused? = actions.first else { Issue.record("\(topic): \(actions)"); continue }
        }
    }

    @Test("An edge node session and a host session agree on every value")
    func edgeToHost() {
        var edge = EdgeNodeSession(configuration: .init(node: Fixture.node))
        var host = HostSession(configuration: try! .init(hostID: "twinhub"))
        var outputs: [HostSession.Action] = []
        func deliver(_ actions: [EdgeNodeSession.Action], now: UInt64) {
            for publication in actions.publications {
                outputs += host.handle(.received(topic: publication.topic.description, payload: publication.payload, now: now))
            }
        }
        deliver(edge.handle(.deviceOnline(deviceID: "cnc1", metrics: Fixture.deviceMetrics, now: 1)), now: 1)
        _ = edge.handle(.connecting(now: 2))
        deliver(edge.handle(.connected(now: 3)), now: 3)
        for step in 1...600 {
            deliver(edge.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "parts", value: .int64(Int64(step)))], now: UInt64(3 + step))), now: UInt64(3 + step))
        }
        deliver(edge.handle(.deviceOffline(deviceID: "cnc1", now: 700)), now: 700)
        #expect(Self.parts(outputs) == Array(1...600).map(Int64.init))
        #expect(outputs.rebirthRequests.isEmpty)
        #expect(outputs.last == .offline(.device(Fixture.device), at: 700, staleMetrics: ["spindle_speed", "State", "parts"]))
    }
}
