import Testing
@testable import SparkplugB

@Suite("Edge node session")
struct EdgeNodeSessionTests {
    /// A session connected and born, with the fixture device online.
    static func born(primaryHost: String? = nil) -> (EdgeNodeSession, [EdgeNodeSession.Action]) {
        var session = EdgeNodeSession(configuration: .init(node: Fixture.node, primaryHostID: primaryHost,
                                                           nodeMetrics: [SparkplugMetricDefinition(name: "Uptime", dataType: .int64, value: .int64(0))]))
        _ = session.handle(.deviceOnline(deviceID: "cnc1", metrics: Fixture.deviceMetrics, now: Fixture.t0))
        _ = session.handle(.connecting(now: Fixture.t0))
        let actions = session.handle(.connected(now: Fixture.t0))
        return (session, actions)
    }

    @Test("A connect registers an NDEATH will (QoS 1, not retained) and the NBIRTH that follows has its bdSeq and seq 0")
    func connect() throws {
        let (session, actions) = Self.born()
        #expect(actions.first == .subscribe(["spBv1.0/plant1/NCMD/assembly:line1", "spBv1.0/plant1/DCMD/assembly:line1/+"]))
        let births = actions.publications
        #expect(births.map(\.topic) == [.node(.nbirth, Fixture.node), .device(.dbirth, Fixture.device)])
        let nbirth = try births[0].decoded()
        #expect(nbirth.seq == 0)
        #expect(try nbirth.birthDeathSequence(.nbirth) == 0)
        #expect(try births[1].decoded().seq == 1)
        #expect(session.phase == .online(bdSeq: 0))
        #expect(births.allSatisfy { $0.qos == 0 && !$0.retain })
    }

    @Test("bdSeq is one more at each connect, the will's and the birth's the same, and wraps from 255 to 0")
    func bdSeqWraps() throws {
        var session = EdgeNodeSession(configuration: .init(node: Fixture.node))
        for round in 0..<258 {
            let connect = session.handle(.connecting(now: Fixture.t0 + UInt64(round)))
            guard case .connect(let will)? = connect.first else { Issue.record("no will"); return }
            #expect(will.qos == 1 && !will.retain && will.topic == .node(.ndeath, Fixture.node))
            let willPayload = try will.decoded()
            #expect(willPayload.seq == nil)
            #expect(try willPayload.birthDeathSequence(.ndeath) == UInt8(round % 256))
            let birth = try #require(session.handle(.connected(now: Fixture.t0)).publications.first).decoded()
            #expect(try birth.birthDeathSequence(.nbirth) == UInt8(round % 256))
            _ = session.handle(.connectionLost(now: Fixture.t0))
        }
    }

    @Test("Attempts the broker never accepted keep the bdSeq: it moves on only after a connect")
    func failedAttemptsKeepBdSeq() throws {
        var session = EdgeNodeSession(configuration: .init(node: Fixture.node))
        func willBdSeq() throws -> UInt8 {
            guard case .connect(let will)? = session.handle(.connecting(now: Fixture.t0)).first else { throw SparkplugError(.missingField, "no will") }
            return try will.decoded().birthDeathSequence(.ndeath)
        }
        #expect(try willBdSeq() == 0)
        _ = session.handle(.connectionLost(now: Fixture.t0))
        #expect(try willBdSeq() == 0, "no broker answered the first attempt")
        _ = session.handle(.connected(now: Fixture.t0))
        _ = session.handle(.connectionLost(now: Fixture.t0))
        #expect(try willBdSeq() == 1)
        #expect(try willBdSeq() == 1)
    }

    @Test("seq goes up by one in every message and wraps from 255 to 0")
    func seqWraps() throws {
        var (session, births) = Self.born()
        let dbirth = try births.publications[1].decoded()
        var seqs: [UInt64] = []
        for step in 1...300 {
            let actions = session.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "parts", value: .int64(Int64(step)))],
                                                       now: Fixture.t0 + UInt64(step)))
            seqs += try actions.publications.map { try $0.decoded(birth: dbirth).seq ?? 999 }
        }
        // NBIRTH 0, DBIRTH 1, then DDATA from 2.
        #expect(seqs == (2..<302).map { UInt64($0 % 256) })
    }

    @Test("A rebirth request re-sends the NBIRTH with the same bdSeq and seq 0, and every DBIRTH")
    func rebirth() throws {
        var (session, _) = Self.born()
        _ = session.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "parts", value: .int64(1))], now: Fixture.t0 + 1))
        let request = SparkplugPayload.rebirthRequest(timestamp: Fixture.t0 + 2).encoded()
        let actions = session.handle(.received(topic: "spBv1.0/plant1/NCMD/assembly:line1", payload: request, now: Fixture.t0 + 2))
        let births = actions.publications
        #expect(births.map(\.topic) == [.node(.nbirth, Fixture.node), .device(.dbirth, Fixture.device)])
        #expect(try births[0].decoded().seq == 0)
        #expect(try births[0].decoded().birthDeathSequence(.nbirth) == 0)
        let dbirth = try births[1].decoded()
        #expect(dbirth.seq == 1)
        #expect(dbirth.metric(named: "parts")?.value == .int64(1))
        #expect(session.phase == .online(bdSeq: 0))
    }

    @Test("Report by exception: a DDATA carries only the metrics whose value changed, by alias")
    func reportByException() throws {
        var (session, actions) = Self.born()
        let dbirth = try actions.publications[1].decoded()
        let unchanged = SparkplugMetricUpdate(name: "spindle_speed", value: .double(12_000))
        let changed = SparkplugMetricUpdate(name: "State", value: .string("held"))
        let data = session.handle(.deviceValues(deviceID: "cnc1", [unchanged, changed], now: Fixture.t0 + 1)).publications
        #expect(data.map(\.topic) == [.device(.ddata, Fixture.device)])
        let payload = try data[0].decoded(birth: dbirth)
        #expect(payload.metrics.count == 1)
        #expect(payload.metrics[0].name == nil)
        #expect(payload.metrics[0].alias == dbirth.metric(named: "State")?.alias)
        #expect(payload.metrics[0].value == .string("held"))
        #expect(payload.metrics[0].timestamp == Fixture.t0 + 1)
        #expect(session.handle(.deviceValues(deviceID: "cnc1", [changed], now: Fixture.t0 + 2)).isEmpty)
        #expect(session.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "State", value: nil)], now: Fixture.t0 + 3)).count == 1)
    }

    @Test("Node metrics report by exception in NDATA; aliases are unique across the node and its devices")
    func nodeData() throws {
        var (session, actions) = Self.born()
        let aliases = try actions.publications.flatMap { try $0.decoded().metrics.compactMap(\.alias) }
        #expect(Set(aliases).count == aliases.count)
        let data = session.handle(.nodeValues([SparkplugMetricUpdate(name: "Uptime", value: .int64(60))], now: Fixture.t0 + 1)).publications
        #expect(data.map(\.topic) == [.node(.ndata, Fixture.node)])
        #expect(try data[0].decoded(birth: actions.publications[0].decoded()).metrics.map(\.value) == [.int64(60)])
    }

    @Test("A device going offline sends a DDEATH; coming back, a DBIRTH with its current values")
    func deviceDeathAndBirth() throws {
        var (session, _) = Self.born()
        let death = session.handle(.deviceOffline(deviceID: "cnc1", now: Fixture.t0 + 1)).publications
        #expect(death.map(\.topic) == [.device(.ddeath, Fixture.device)])
        #expect(try death[0].decoded().seq == 2)
        #expect(session.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "parts", value: .int64(9))], now: Fixture.t0 + 2)).isEmpty)
        var metrics = Fixture.deviceMetrics
        metrics[2].value = .int64(9)
        let birth = session.handle(.deviceOnline(deviceID: "cnc1", metrics: metrics, now: Fixture.t0 + 3)).publications
        #expect(birth.map(\.topic) == [.device(.dbirth, Fixture.device)])
        let payload = try birth[0].decoded()
        #expect(payload.seq == 3)
        #expect(payload.metric(named: "parts")?.value == .int64(9))
        #expect(payload.metric(named: "spindle_speed")?.properties.engineeringUnit == "rpm")
    }

    @Test("With a primary host, births wait for its STATE online; a newer STATE offline ends the session, an older one does not")
    func primaryHost() throws {
        var (session, actions) = Self.born(primaryHost: "scada")
        #expect(actions == [.subscribe(["spBv1.0/plant1/NCMD/assembly:line1", "spBv1.0/plant1/DCMD/assembly:line1/+", "spBv1.0/STATE/scada"])])
        #expect(session.phase == .waitingForHost(bdSeq: 0))
        let other = HostState(online: true, timestamp: 10).encoded()
        #expect(session.handle(.received(topic: "spBv1.0/STATE/other", payload: other, now: 1)).isEmpty)
        let online = session.handle(.received(topic: "spBv1.0/STATE/scada", payload: HostState(online: true, timestamp: 100).encoded(), now: 2))
        #expect(online.publications.map(\.topic) == [.node(.nbirth, Fixture.node), .device(.dbirth, Fixture.device)])

        let stale = HostState(online: false, timestamp: 99).encoded()
        #expect(session.handle(.received(topic: "spBv1.0/STATE/scada", payload: stale, now: 3)).isEmpty)
        #expect(session.phase == .online(bdSeq: 0))

        let offline = session.handle(.received(topic: "spBv1.0/STATE/scada", payload: HostState(online: false, timestamp: 100).encoded(), now: 4))
        #expect(offline.count == 2)
        #expect(offline.publications.map(\.topic) == [.node(.ndeath, Fixture.node)])
        #expect(try offline.publications[0].decoded().birthDeathSequence(.ndeath) == 0)
        #expect(offline.last == .disconnect)
        #expect(session.phase == .disconnected)

        _ = session.handle(.connecting(now: 5))
        #expect(session.handle(.connected(now: 6)).publications.isEmpty)
        #expect(session.phase == .waitingForHost(bdSeq: 1))
    }

    @Test("A DCMD becomes a device command with metric names resolved from aliases; a bad one is refused")
    func deviceCommand() throws {
        var (session, actions) = Self.born()
        let alias = try #require(try actions.publications[1].decoded().metric(named: "State")?.alias)
        let command = SparkplugPayload.command(timestamp: 1, metrics: [SparkplugMetric(alias: alias, dataType: .string, value: .string("stopped"))])
        let result = session.handle(.received(topic: "spBv1.0/plant1/DCMD/assembly:line1/cnc1", payload: command.encoded(), now: 2))
        guard case .deviceCommand(let device, let metrics)? = result.first else { Issue.record("no command: \(result)"); return }
        #expect(device == "cnc1")
        #expect(metrics.map(\.name) == ["State"])
        #expect(metrics.map(\.value) == [.string("stopped")])

        let bad = session.handle(.received(topic: "spBv1.0/plant1/DCMD/assembly:line1/cnc1", payload: [0xFF, 0xFF], now: 3))
        guard case .refused(_, let error)? = bad.first else { Issue.record("not refused: \(bad)"); return }
        #expect(error.code == .malformedPayload)
    }

    @Test("A clean shutdown publishes the NDEATH before disconnecting")
    func shutdown() throws {
        var (session, _) = Self.born()
        let actions = session.handle(.shutdown(now: 9))
        #expect(actions.publications.map(\.topic) == [.node(.ndeath, Fixture.node)])
        #expect(actions.last == .disconnect)
        #expect(session.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "parts", value: .int64(5))], now: 10)).isEmpty)
    }
}
