import Foundation
import Testing
@testable import Twins
import TwinModel
import TwinHubProtocol

enum TwinFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cnc = try! KindLoader.load(file: root.appendingPathComponent("twins/cnc-machining-centre.yaml").path).interface
    static let address = PlantPath(site: "s", area: "a", line: "l", machine: "cnc-01")

    static func twin(kind: MachineInterface? = cnc, historySize: Int = 4) -> Twin {
        Twin(address: address, kind: kind, settings: .init(historySize: historySize, staleAfter: 5))
    }

    static func sample(_ sequence: UInt64, _ time: String, _ values: [(String, Double, String)]) -> TelemetrySample {
        TelemetrySample(time: at(time), sequence: sequence, values: values.map { .init(property: $0.0, value: $0.1, unit: $0.2) })
    }
}

@Suite("Twin fields")
struct TwinTests {
    @Test("Reported properties carry value, unit, source and receive time, and quality")
    func reported() {
        var twin = TwinFixtures.twin()
        let refusals = twin.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm"), ("vibration", 6.1, "mm/s")]), received: at("06:00:02"))
        #expect(refusals.isEmpty)
        #expect(twin.reported["spindle_speed"] == ReportedProperty(value: 9500, unit: "rpm", sourceTime: at("06:00:01"), receiveTime: at("06:00:02"), quality: .good))
        #expect(twin.reported["vibration"]?.quality == .outOfRange, "6.1 mm/s is above the normal 0-4.5 but possible")
        #expect(twin.version == 1)
        #expect(twin.connectivity.status == .online, "data means the machine is there")
    }

    @Test("A range that applies only in some states (normal_while): coolant 0 l/min is good while idle, starved, stopped or in fault, out of range while running or before the state is known")
    func rangeFollowsState() {
        #expect(TwinFixtures.cnc.property(named: "coolant_flow")?.normalStates == [.running])
        var twin = TwinFixtures.twin()
        var sequence: UInt64 = 0
        func quality(_ flow: Double) -> ReportedProperty.Quality? {
            sequence += 1
            twin.apply(TwinFixtures.sample(sequence, "06:00:0\(sequence)", [("coolant_flow", flow, "l/min")]), received: at("06:00:0\(sequence)"))
            return twin.reported["coolant_flow"]?.quality
        }
        #expect(quality(0) == .outOfRange, "no state yet: the range applies")
        for (number, state) in [MachineState.idle, .starved, .stopped, .fault].enumerated() {
            twin.apply(StateChange(time: at("06:00"), sequence: UInt64(number), state: state, previous: .idle, reason: "test"), received: at("06:00"))
            #expect(quality(0) == .good, "0 l/min while \(state)")
        }
        twin.apply(StateChange(time: at("06:00"), sequence: 4, state: .running, previous: .fault, reason: "test"), received: at("06:00"))
        #expect(quality(0) == .outOfRange)
        #expect(quality(24) == .good)
        #expect(quality(31) == .outOfRange)
    }

    @Test("Impossible values, wrong units and unknown properties are refused; the rest applies")
    func refusedReadings() {
        var twin = TwinFixtures.twin()
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        let refusals = twin.apply(TwinFixtures.sample(2, "06:00:02", [
            ("spindle_speed", 99_000, "rpm"), ("power", 5, "W"), ("flux", 1, "T"), ("coolant_flow", 24, "l/min"),
        ]), received: at("06:00:02"))
        #expect(refusals.map(\.reason) == [.impossibleValue, .unitMismatch, .unknownProperty])
        #expect(twin.reported["spindle_speed"]?.value == 9500, "the last good value stays")
        #expect(twin.reported["spindle_speed"]?.quality == .bad, "…flagged as bad")
        #expect(twin.reported["power"] == nil)
        #expect(twin.reported["coolant_flow"]?.value == 24, "valid readings of the same message apply")
    }

    @Test("A redelivery of a message applied among the last 64 is a duplicate; an older one never applied is out of order")
    func redeliveries() {
        var twin = TwinFixtures.twin()
        for sequence in [1, 2, 3, 5, 6] {
            twin.apply(TwinFixtures.sample(UInt64(sequence), "06:00:0\(sequence)", [("spindle_speed", 100, "rpm")]), received: at("06:00:07"))
        }
        // 2 and 5 came before, again (a publisher resending what the broker had not acknowledged); 4 never came.
        #expect(twin.apply(TwinFixtures.sample(2, "06:00:02", [("spindle_speed", 1, "rpm")]), received: at("06:00:08")).map(\.reason) == [.duplicate])
        #expect(twin.apply(TwinFixtures.sample(5, "06:00:05", [("spindle_speed", 1, "rpm")]), received: at("06:00:08")).map(\.reason) == [.duplicate])
        #expect(twin.apply(TwinFixtures.sample(4, "06:00:04", [("spindle_speed", 1, "rpm")]), received: at("06:00:08")).map(\.reason) == [.outOfOrder])
        #expect(twin.reported["spindle_speed"]?.value == 100)
        // 65 numbers later, 6 is out of the window: only an old straggler now.
        twin.apply(TwinFixtures.sample(71, "06:01:10", [("spindle_speed", 100, "rpm")]), received: at("06:01:10"))
        #expect(twin.apply(TwinFixtures.sample(6, "06:00:06", [("spindle_speed", 1, "rpm")]), received: at("06:01:11")).map(\.reason) == [.outOfOrder])
        // A restart (sequence 1) starts a new window: 2 of the old numbering never came in this one.
        twin.apply(TwinFixtures.sample(1, "07:00:00", [("spindle_speed", 100, "rpm")]), received: at("07:00:00"))
        twin.apply(TwinFixtures.sample(3, "07:00:02", [("spindle_speed", 100, "rpm")]), received: at("07:00:02"))
        #expect(twin.apply(TwinFixtures.sample(2, "06:00:02", [("spindle_speed", 1, "rpm")]), received: at("07:00:03")).map(\.reason) == [.outOfOrder])
        #expect(twin.apply(TwinFixtures.sample(3, "07:00:02", [("spindle_speed", 1, "rpm")]), received: at("07:00:03")).map(\.reason) == [.duplicate])
    }

    @Test("Duplicate and out-of-order sequence numbers are refused whole; 1 after a higher one is a restart")
    func sequences() {
        var twin = TwinFixtures.twin()
        twin.apply(TwinFixtures.sample(5, "06:00:05", [("spindle_speed", 100, "rpm")]), received: at("06:00:05"))
        let version = twin.version
        #expect(twin.apply(TwinFixtures.sample(5, "06:00:05", [("spindle_speed", 200, "rpm")]), received: at("06:00:06")).map(\.reason) == [.duplicate])
        #expect(twin.apply(TwinFixtures.sample(4, "06:00:04", [("spindle_speed", 300, "rpm")]), received: at("06:00:06")).map(\.reason) == [.outOfOrder])
        #expect(twin.reported["spindle_speed"]?.value == 100 && twin.version == version, "untouched")
        #expect(twin.apply(TwinFixtures.sample(1, "07:00:00", [("spindle_speed", 400, "rpm")]), received: at("07:00:00")).isEmpty)
        #expect(twin.reported["spindle_speed"]?.value == 400)
    }

    @Test("State, its start and reason, counters, and the KPIs they feed")
    func stateAndCounters() {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 0, state: .idle, previous: .idle, reason: "simulator started"), received: at("06:00"))
        twin.apply(StateChange(time: at("06:05"), sequence: 1, state: .running, previous: .idle, reason: "shift early"), received: at("06:05"))
        #expect(twin.state == .running && twin.stateSince == at("06:05") && twin.stateReason == "shift early")
        #expect(twin.apply(StateChange(time: at("06:05"), sequence: 1, state: .idle, previous: .idle, reason: "x"), received: at("06:06")).isEmpty,
                "the same stamp again (retained, re-announced) is silently ignored")
        #expect(twin.state == .running)
        #expect(twin.apply(StateChange(time: at("06:03"), sequence: 1, state: .idle, previous: .idle, reason: "x"), received: at("06:06")).isEmpty,
                "sequence 1 again, even older, is a restart of the machine")
        twin.apply(StateChange(time: at("06:05"), sequence: 2, state: .running, previous: .idle, reason: "again"), received: at("06:06"))
        twin.apply(ProductionCounters(time: at("06:05"), sequence: 1, total: 0, good: 0, scrap: 0, idealCycleTime: .seconds(240)), received: at("06:05"))
        twin.apply(ProductionCounters(time: at("07:05"), sequence: 2, total: 15, good: 15, scrap: 0, idealCycleTime: .seconds(240)), received: at("07:05"))
        #expect(twin.counters?.total == 15)
        #expect(twin.kpi.shift.seconds(in: .running) == 3600)
        #expect(twin.kpi.shift.oee.performance == 15.0 * 240 / 3600)
    }

    @Test("KPIs run on the machine's clock: a simulated fleet's time is not the wall clock")
    func machineClock() {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "r"), received: at("12:00", day: 20))
        twin.refresh(now: at("12:00", day: 21))  // a day of wall time later
        twin.apply(StateChange(time: at("06:30"), sequence: 2, state: .starved, previous: .running, reason: "r"), received: at("12:00", day: 21))
        twin.apply(TwinFixtures.sample(1, "07:00", [("spindle_speed", 0, "rpm")]), received: at("12:01", day: 21))
        #expect(twin.kpi.lifetime.seconds(in: .running) == 1800)
        #expect(twin.kpi.lifetime.seconds(in: .starved) == 1800)
        #expect(twin.machineTime == at("07:00"))
    }

    @Test("Offline by last will, and stale when nothing arrives for 5 sample intervals")
    func connectivity() {
        var twin = TwinFixtures.twin()
        twin.apply(MachineStatus(online: true, time: at("06:00"), reason: "connected"), received: at("06:00"))
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        let quiet = twin.refresh(now: at("06:00:05"))
        #expect(!quiet, "4 s of silence is fine")
        let silent = twin.refresh(now: at("06:00:07"))
        #expect(silent, "6 s is more than 5 sample intervals of 1 s")
        #expect(twin.connectivity.status == .stale)
        #expect(twin.reported["spindle_speed"]?.quality == .stale)
        twin.apply(TwinFixtures.sample(2, "06:00:08", [("spindle_speed", 9400, "rpm")]), received: at("06:00:08"))
        #expect(twin.connectivity.status == .online && twin.reported["spindle_speed"]?.quality == .good)
        twin.apply(MachineStatus(online: false, time: nil, reason: "connection lost"), received: at("06:01"))
        #expect(twin.connectivity == Connectivity(status: .offline, since: at("06:01"), reason: "connection lost", lastHeard: at("06:00:08")))
        #expect(twin.state == .offline)
        let version = twin.version
        twin.apply(MachineStatus(online: false, time: nil, reason: "connection lost"), received: at("06:02"))
        #expect(twin.version == version && twin.connectivity.since == at("06:01"), "a repeated status (retained) is no change")
    }

    @Test("Desired state: the delta is the command to send, cleared once the machine reports it")
    func desired() throws {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "r"), received: at("06:00"))
        #expect(twin.command == nil)
        try twin.desire(.stopped)
        #expect(twin.command == MachineCommandRequest(command: .stop))
        twin.apply(StateChange(time: at("06:01"), sequence: 2, state: .stopped, previous: .running, reason: "command stop"), received: at("06:01"))
        #expect(twin.desiredState == nil && twin.command == nil)
        do {
            try twin.desire(.fault)
            Issue.record("fault cannot be desired")
        } catch {
            #expect(error.description.contains("cannot be asked to be fault"))
        }
        try twin.desire(.stopped)
        #expect(twin.desiredState == nil, "already there")
    }

    @Test("History keeps the last N samples per property, oldest first")
    func history() {
        var twin = TwinFixtures.twin(historySize: 3)
        for second in 1...5 {
            twin.apply(TwinFixtures.sample(UInt64(second), "06:00:0\(second)", [("spindle_speed", Double(second * 100), "rpm")]), received: at("06:00:0\(second)"))
        }
        let samples = twin.history["spindle_speed"]!.samples
        #expect(samples.map(\.value) == [300, 400, 500])
        #expect(samples.map(\.time) == [at("06:00:03"), at("06:00:04"), at("06:00:05")])
    }

    @Test("A machine of unknown kind gets a generic twin: every property, no ranges")
    func genericTwin() {
        var twin = TwinFixtures.twin(kind: nil)
        #expect(twin.apply(TwinFixtures.sample(1, "06:00:01", [("anything", 1e9, "furlongs")]), received: at("06:00:01")).isEmpty)
        #expect(twin.reported["anything"]?.quality == .good)
    }
}

@Suite("Twin records")
struct TwinRecordTests {
    @Test("A twin comes back from its record with every field and its KPI accumulators, and carries on")
    func roundTrip() throws {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "shift"), received: at("06:00"))
        twin.apply(TwinFixtures.sample(1, "06:30", [("spindle_speed", 9500, "rpm")]), received: at("06:30"))
        twin.apply(ProductionCounters(time: at("06:30"), sequence: 1, total: 7, good: 7, scrap: 0, idealCycleTime: .seconds(240)), received: at("06:30"))
        try twin.desire(.stopped)
        let data = try JSONEncoder().encode(twin.record)
        let record = try JSONDecoder().decode(Twin.Record.self, from: data)
        #expect(record == twin.record)
        var restored = Twin(record: record, kind: TwinFixtures.cnc, settings: twin.settings)
        #expect(restored.record == twin.record)
        #expect(restored.kpi.lifetime.seconds(in: .running) == 1800)
        #expect(restored.command == MachineCommandRequest(command: .stop))
        #expect(restored.apply(TwinFixtures.sample(1, "06:30", [("spindle_speed", 1, "rpm")]), received: at("06:31")).map(\.reason) == [.duplicate],
                "sequence numbers survive the restart")
        restored.apply(TwinFixtures.sample(2, "07:00", [("spindle_speed", 9400, "rpm")]), received: at("07:00"))
        #expect(restored.kpi.lifetime.seconds(in: .running) == 3600, "the KPIs carry on")
    }
}

@Suite("Twin edge cases found in review")
struct TwinEdgeTests {
    @Test("After a reconnect the re-announced state replaces the offline status's state")
    func reconnectRestoresState() {
        var twin = TwinFixtures.twin()
        let running = StateChange(time: at("06:00"), sequence: 3, state: .running, previous: .setup, reason: "setup done")
        twin.apply(running, received: at("06:00"))
        twin.apply(MachineStatus(online: false, time: nil, reason: "connection lost"), received: at("06:10"))
        #expect(twin.state == .offline)
        twin.apply(MachineStatus(online: true, time: at("06:12"), reason: "connected"), received: at("06:12"))
        #expect(twin.apply(running, received: at("06:12")).isEmpty, "the announcement repeats the last state: no refusal")
        #expect(twin.state == .running)
    }

    @Test("A silent machine's KPIs keep moving with the wall clock")
    func silentMachineRollsOver() {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "r"), received: at("06:00"))
        twin.apply(MachineStatus(online: false, time: nil, reason: "connection lost"), received: at("06:00"))
        twin.refresh(now: at("15:00"))
        #expect(twin.kpi.shiftStart == at("14:00"), "the late shift started without the machine")
        #expect(twin.kpi.window.seconds(in: .running) == 0)
    }

    @Test("Coming back online without new readings still bumps the version")
    func versionOnConnectivity() {
        var twin = TwinFixtures.twin()
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 1, "rpm")]), received: at("06:00:01"))
        twin.refresh(now: at("06:00:30"))
        #expect(twin.connectivity.status == .stale)
        let version = twin.version
        twin.apply(TwinFixtures.sample(2, "06:00:31", []), received: at("06:00:31"))
        #expect(twin.connectivity.status == .online && twin.version == version + 1)
    }

    @Test("An extreme value in a generic twin stays storable")
    func extremeValues() throws {
        var twin = TwinFixtures.twin(kind: nil)
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("huge", 1e300, "x")]), received: at("06:00:01"))
        let data = try JSONEncoder().encode(twin.record)
        #expect(!data.isEmpty)
    }
}

@Suite("Twin payloads")
struct TwinPayloadTests {
    @Test("A snapshot shows the desired state and its delta until the machine complies")
    func delta() throws {
        var twin = TwinFixtures.twin()
        twin.apply(StateChange(time: at("06:00"), sequence: 1, state: .running, previous: .idle, reason: "r"), received: at("06:00"))
        try twin.desire(.held)
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(JSONCodec.twin(twin))) as? [String: Any])
        #expect((snapshot["delta"] as? [String: Any])?["command"] as? String == "hold")
        #expect((snapshot["desired"] as? [String: Any])?["state"] as? String == "held")
        twin.apply(StateChange(time: at("06:01"), sequence: 2, state: .held, previous: .running, reason: "command hold"), received: at("06:01"))
        let synced = try #require(try JSONSerialization.jsonObject(with: Data(JSONCodec.twin(twin))) as? [String: Any])
        #expect(synced["delta"] == nil && synced["desired"] == nil)
    }
}
