import Foundation
@testable import Rules
import RuleLanguage
import Testing
import TwinModel
import Twins
import TwinHubProtocol

/// A time as the wire writes it (ISO 8601 UTC, milliseconds): what reads back exactly.
private func instant(_ text: String) -> Date {
    ISO8601Parsing.date(text)!
}

/// Every message JSONCodec both writes and reads, written and read back: the same value, or (where the reader gives a
/// snapshot type of its own) the same fields, within the rounding the wire documents. Edge values included: empty
/// maps, absent optional members, unicode names, large counts, negative values and offsets.
@Suite("Every message reads back as written")
struct RoundTripTests {
    static let mill = PlantPath(site: "leuven", area: "fabrication", line: "line-2", machine: "cnc-01")
    static let unicodeMachine = PlantPath(site: "Münster", area: "Halle 3", line: "Linie β", machine: "Presse-Ω 🛠")
    static let cnc = Repository.kinds["cnc_machining_centre"]!

    // MARK: Machine messages

    @Test("Telemetry: readings come back sorted by name", arguments: [
        (TelemetrySample(time: instant("2026-03-02T06:00:00.250Z"), sequence: 1,
                         values: [.init(property: "vibration", value: 2.12, unit: "mm/s"), .init(property: "spindle_speed", value: 9480, unit: "rpm")]),
         "cnc-01", "cnc_machining_centre"),
        (TelemetrySample(time: instant("1970-01-01T00:00:00.000Z"), sequence: 1 << 52, values: []), "empty", "k"),
        (TelemetrySample(time: instant("2199-12-31T23:59:59.999Z"), sequence: 7,
                         values: [.init(property: "Drehmoment_Ω", value: -1.5e-7, unit: "N·m"), .init(property: "température", value: -40.25, unit: "°C"),
                                  .init(property: "a", value: 0.1 + 0.2, unit: ""), .init(property: "big", value: 1.7976931348623157e308, unit: "")]),
         "Presse-Ω 🛠", "ünknown_kind"),
    ])
    func telemetry(sample: TelemetrySample, machine: String, kind: String) throws {
        var sorted = sample
        sorted.values.sort { $0.property < $1.property }
        let decoded = try JSONCodec.decodeTelemetry(JSONCodec.telemetry(sample, machine: machine, kind: kind))
        #expect(decoded == MachineTelemetry(machine: machine, kind: kind, sample: sorted))
    }

    @Test("State: every state, from another, with and without a reason", arguments: MachineState.allCases)
    func state(state: MachineState) throws {
        let previous = MachineState.allCases[(MachineState.allCases.firstIndex(of: state)! + 1) % MachineState.allCases.count]
        for change in [StateChange(time: instant("2026-03-02T06:00:00.001Z"), sequence: 0, state: state, previous: previous, reason: ""),
                       StateChange(time: instant("2026-03-02T23:59:59.999Z"), sequence: 1 << 52, state: state, previous: previous,
                                   reason: "fault coolant_loss — Kühlmittel „leer“ 🧊")] {
            #expect(try JSONCodec.decodeState(JSONCodec.state(change)) == change)
        }
    }

    @Test("Counters: none yet, some scrap, large counts, a fractional ideal cycle", arguments: [
        ProductionCounters(time: instant("2026-03-02T06:00:00.000Z"), sequence: 1, total: 0, good: 0, scrap: 0, idealCycleTime: .seconds(20)),
        ProductionCounters(time: instant("2026-03-02T06:30:00.125Z"), sequence: 42, total: 40, good: 38, scrap: 2, idealCycleTime: .milliseconds(1700)),
        ProductionCounters(time: instant("2026-03-02T06:30:00.125Z"), sequence: 1 << 52, total: 900_000_000_000_000, good: 899_999_999_999_999,
                           scrap: 1, idealCycleTime: .milliseconds(250)),
    ])
    func counters(counters: ProductionCounters) throws {
        #expect(try JSONCodec.decodeCounters(JSONCodec.counters(counters)) == counters)
    }

    @Test("Status: online, offline, a last will without a time, reasons empty and unicode", arguments: [
        MachineStatus(online: true, time: instant("2026-03-02T05:50:00.000Z"), reason: "connected"),
        MachineStatus(online: false, time: instant("2026-03-02T14:00:00.500Z"), reason: ""),
        MachineStatus(online: false, time: nil, reason: "Verbindung verloren ⚡"),
    ])
    func status(status: MachineStatus) throws {
        #expect(try JSONCodec.decodeStatus(JSONCodec.status(online: status.online, time: status.time, reason: status.reason)) == status)
    }

    @Test("Commands: every command bare, and with a fault, a duration or a value", arguments: MachineCommand.allCases)
    func command(command: MachineCommand) throws {
        for request in [MachineCommandRequest(command: command),
                        MachineCommandRequest(command: command, fault: "coolant_loss", duration: .seconds(600)),
                        MachineCommandRequest(command: command, fault: "Kühlmittel_ausfall_β", duration: .milliseconds(100), value: 0.8),
                        MachineCommandRequest(command: command, duration: .zero, value: -0.0)] {
            #expect(try JSONCodec.decodeCommand(JSONCodec.command(request)) == request)
        }
    }

    @Test("Desired states: every state", arguments: MachineState.allCases)
    func desired(state: MachineState) throws {
        #expect(try JSONCodec.decodeDesired(JSONCodec.desired(state)) == state)
    }

    @Test("Acknowledgements: plain, unicode, an empty comment, the longest allowed", arguments: [
        AcknowledgementRequest(by: "ana", comment: "checked the coolant"),
        AcknowledgementRequest(by: "José Ñúñez 🛠", comment: ""),
        AcknowledgementRequest(by: String(repeating: "é", count: 100), comment: String(repeating: "\"\\\n", count: 333) + "x"),
    ])
    func acknowledgement(request: AcknowledgementRequest) throws {
        #expect(try JSONCodec.decodeAcknowledgement(JSONCodec.acknowledgement(request)) == request)
    }

    // MARK: Twins and KPIs

    /// Twins in the shapes a snapshot takes.
    enum TwinFixture: String, CaseIterable, Sendable {
        /// Nothing heard yet: no readings, no counters, no KPI figures, no desired state.
        case fresh
        /// Online, running after a fault, readings good and out of range, counters, a desired state and its command.
        case busy
        /// A kind the service does not know, at a unicode place, with a unicode property and a negative value.
        case generic

        func twin() throws -> Twin {
            switch self {
            case .fresh:
                return Twin(address: RoundTripTests.mill, kind: RoundTripTests.cnc.interface)
            case .busy:
                var twin = Twin(address: RoundTripTests.mill, kind: RoundTripTests.cnc.interface)
                twin.apply(MachineStatus(online: true, time: instant("2026-03-02T05:50:00.000Z"), reason: "connected"),
                           received: instant("2026-03-02T05:50:00.010Z"))
                twin.apply(StateChange(time: instant("2026-03-02T06:00:00.000Z"), sequence: 1, state: .running, previous: .idle, reason: "shift early"),
                           received: instant("2026-03-02T06:00:00.010Z"))
                for (sequence, minute, total, scrap) in [(UInt64(1), "00", 0, 0), (2, "20", 40, 2)] {
                    twin.apply(ProductionCounters(time: instant("2026-03-02T06:\(minute):00.500Z"), sequence: sequence, total: total,
                                                  good: total - scrap, scrap: scrap, idealCycleTime: .seconds(20)),
                               received: instant("2026-03-02T06:\(minute):00.510Z"))
                }
                twin.apply(StateChange(time: instant("2026-03-02T06:30:00.000Z"), sequence: 2, state: .fault, previous: .running, reason: "fault coolant_loss"),
                           received: instant("2026-03-02T06:30:00.010Z"))
                twin.apply(StateChange(time: instant("2026-03-02T06:45:00.000Z"), sequence: 3, state: .running, previous: .fault, reason: "reset"),
                           received: instant("2026-03-02T06:45:00.010Z"))
                twin.apply(TelemetrySample(time: instant("2026-03-02T06:45:01.250Z"), sequence: 1,
                                           values: [.init(property: "spindle_speed", value: 12_500, unit: "rpm"),
                                                    .init(property: "vibration", value: 2.12, unit: "mm/s")]),
                           received: instant("2026-03-02T06:45:01.300Z"))
                try twin.desire(.stopped)
                return twin
            case .generic:
                var twin = Twin(address: RoundTripTests.unicodeMachine, kind: nil)
                twin.apply(TelemetrySample(time: instant("2026-03-02T06:00:00.000Z"), sequence: 1,
                                           values: [.init(property: "Drehmoment_Ω", value: -3.5, unit: "N·m")]),
                           received: instant("2026-03-02T06:00:00.000Z"))
                return twin
            }
        }
    }

    /// What a snapshot of `twin` holds: its fields, the KPI figures to four places and MTBF and MTTR to the second.
    static func snapshot(of twin: Twin) -> TwinSnapshot {
        TwinSnapshot(
            key: twin.address, kind: twin.kind?.id ?? "generic", version: Int(twin.version), state: twin.state.rawValue,
            stateSince: twin.stateSince, stateReason: twin.stateReason, connectivity: twin.connectivity.status.rawValue,
            connectivitySince: twin.connectivity.since, connectivityReason: twin.connectivity.reason,
            readings: twin.reported.sorted { $0.key < $1.key }.map {
                .init(name: $0.key, value: $0.value.value, unit: $0.value.unit, quality: $0.value.quality.rawValue, time: $0.value.sourceTime)
            },
            counters: twin.counters.map { .init(total: $0.total, good: $0.good, scrap: $0.scrap) }, desiredState: twin.desiredState?.rawValue,
            pendingCommand: twin.command?.command.rawValue, shift: figures(of: twin.kpi.shift.oee), window: figures(of: twin.kpi.window.oee),
            mtbfSeconds: twin.kpi.lifetime.mtbf?.rounded(), mttrSeconds: twin.kpi.lifetime.mttr?.rounded())
    }

    @Test("Twin snapshots: the twin's fields come back", arguments: TwinFixture.allCases)
    func twin(fixture: TwinFixture) throws {
        let twin = try fixture.twin()
        let decoded = try JSONCodec.decodeTwin(JSONFields.read(JSONCodec.twin(twin), what: "a twin"), key: twin.address)
        #expect(decoded == Self.snapshot(of: twin))
    }

    @Test("The busy twin has every optional part of a snapshot, so its round trip covers them")
    func busyTwinIsComplete() throws {
        let snapshot = Self.snapshot(of: try TwinFixture.busy.twin())
        #expect(snapshot.readings.map(\.quality) == ["out_of_range", "good"])
        #expect(snapshot.counters != nil && snapshot.desiredState == "stopped" && snapshot.pendingCommand == "stop")
        #expect(snapshot.stateSince != nil && snapshot.connectivitySince != nil)
        #expect(snapshot.shift.oee != nil && snapshot.mtbfSeconds != nil && snapshot.mttrSeconds != nil)
    }

    @Test("Histories: none yet, unicode names, values to three places, a machine clock that went back (negative offsets)")
    func history() throws {
        var twin = Twin(address: Self.unicodeMachine, kind: nil, settings: TwinSettings(historySize: 5))
        func roundTrip() throws {
            let expected = Dictionary(uniqueKeysWithValues: twin.history.map { property in
                (property.key, property.value.samples.map { ($0.value * 1000).rounded() / 1000 })
            })
            #expect(try JSONCodec.decodeHistory(JSONFields.read(JSONCodec.history(twin), what: "a history")) == expected)
        }
        try roundTrip()
        for second in 1...7 {
            twin.apply(TelemetrySample(time: instant("2026-03-02T06:00:0\(second).000Z"), sequence: UInt64(second),
                                       values: [.init(property: "Drehmoment_Ω", value: -100 + Double(second) * 0.12345, unit: "N·m"),
                                                .init(property: "speed", value: 9500, unit: "rpm")]),
                       received: instant("2026-03-02T06:00:0\(second).000Z"))
        }
        try roundTrip()
        twin.apply(TelemetrySample(time: instant("2026-03-02T05:50:00.000Z"), sequence: 1, values: [.init(property: "speed", value: 100, unit: "rpm")]),
                   received: instant("2026-03-02T06:00:20.000Z"))
        #expect(String(decoding: JSONCodec.history(twin), as: UTF8.self).contains("-"), "an offset below 0")
        try roundTrip()
    }

    @Test("Aggregate KPIs: no figures, some, all; a site, an area, a line", arguments: [
        (PlantPath(site: "leuven"), 0, ProductionTally(), ProductionTally()),
        (PlantPath(site: "leuven", area: "fabrication"), 12, tally(running: 3000, fault: 600, parts: 140, scrap: 3), ProductionTally()),
        (PlantPath(site: "Münster", area: "Halle 3", line: "Linie β"), 999_999_999, tally(running: 1, fault: 0, parts: 1, scrap: 1),
         tally(running: 1e9, fault: 1e6, parts: 1 << 40, scrap: 7)),
    ])
    func kpi(path: PlantPath, machines: Int, shift: ProductionTally, window: ProductionTally) throws {
        let payload = JSONCodec.kpi(path, machines: machines, shift: shift.oee, window: window.oee)
        let decoded = try JSONCodec.decodeKPI(JSONFields.read(payload, what: "KPIs"), path: path)
        #expect(decoded == KPISnapshot(path: path, machines: machines, shift: Self.figures(of: shift.oee), window: Self.figures(of: window.oee)))
    }

    /// The OEE figures a payload carries: each to four places.
    static func figures(of oee: OEE) -> OEEFigures {
        func rounded(_ value: Double?) -> Double? { value.map { ($0 * 10_000).rounded() / 10_000 } }
        return OEEFigures(oee: rounded(oee.value), availability: rounded(oee.availability), performance: rounded(oee.performance),
                          quality: rounded(oee.quality))
    }

    /// A tally of seconds running and in fault and of parts made at 20 s each.
    static func tally(running: Double, fault: Double, parts: Int, scrap: Int) -> ProductionTally {
        var tally = ProductionTally()
        tally.add(seconds: running, in: .running)
        tally.add(seconds: fault, in: .fault)
        tally.total = parts
        tally.good = parts - scrap
        tally.scrap = scrap
        tally.idealSeconds = Double(parts) * 20
        return tally
    }

    // MARK: Alerts

    /// Alerts through their lifecycle: raised, acknowledged, cleared and latched, closed, escalated; unicode and
    /// non-finite explanations.
    static func alerts() throws -> [Alert] {
        let rule = cnc.rules.first { $0.id == "vibration_high" }!
        let raised = Alert(address: mill, kind: "cnc_machining_centre", rule: rule, severity: .major, at: instant("2026-03-02T07:00:00.000Z"),
                           message: "vibration 7.42 mm/s above 7.1 (major)",
                           explanation: AlertExplanation(condition: "vibration above 4.5 / 7.1 / 11.2 for 30 s", description: rule.description,
                                                         values: ["vibration": 7.42, "spindle_speed": 9480, "bearing_wear": -0.5],
                                                         measure: 7.42, threshold: 7.1))
        var acknowledged = raised
        _ = try acknowledged.acknowledge(by: "José Ñúñez 🛠", at: instant("2026-03-02T07:01:00.500Z"), comment: "")
        var latched = raised
        _ = latched.clear(at: instant("2026-03-02T07:05:00.000Z"))
        var closed = latched
        _ = try closed.acknowledge(by: "ana", at: instant("2026-03-02T07:06:00.000Z"), comment: "bearing changed\nnext week")
        var again = latched
        _ = again.activate(severity: .critical, at: instant("2026-03-02T07:10:00.000Z"))
        var bare = Alert(address: unicodeMachine, kind: "ünknown", rule: rule, severity: .warning, at: instant("2026-03-02T07:00:00.000Z"),
                         message: "", explanation: AlertExplanation(condition: "", description: "", values: [:], measure: .infinity))
        bare.lastSeen = instant("2026-03-02T07:00:30.000Z")
        return [raised, acknowledged, latched, closed, again, bare]
    }

    /// What an alert's snapshot holds: its fields, its explanation's values sorted by name, a non-finite measure absent.
    static func snapshot(of alert: Alert) -> AlertSnapshot {
        AlertSnapshot(
            key: alert.key, id: alert.id, kind: alert.kind, name: alert.ruleName, severity: alert.severity, status: alert.status.rawValue,
            isActive: alert.isActive, acknowledgement: alert.acknowledgement.map { .init(by: $0.by, at: $0.at, comment: $0.comment) },
            count: alert.count, firstSeen: alert.firstSeen, lastSeen: alert.lastSeen, raisedAt: alert.raisedAt, clearedAt: alert.clearedAt,
            message: alert.message, raisedMessage: alert.raisedMessage,
            explanation: .init(condition: alert.explanation.condition, description: alert.explanation.description,
                               values: alert.explanation.values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
                               measure: alert.explanation.measure.flatMap { $0.isFinite ? $0 : nil }, threshold: alert.explanation.threshold))
    }

    @Test("Alerts through their lifecycle come back field for field")
    func alert() throws {
        let alerts = try Self.alerts()
        #expect(Set(alerts.map(\.status.rawValue)).count == 4, "every status")
        for alert in alerts {
            let decoded = try JSONCodec.decodeAlert(JSONFields.read(JSONCodec.alert(alert), what: "an alert"))
            #expect(decoded == Self.snapshot(of: alert), "\(alert.status) \(alert.severity)")
        }
    }

    @Test("Alert events: every kind, with and without a previous severity", arguments: [AlertEvent.Kind.raised, .escalated, .deescalated, .acknowledged,
                                                                                         .cleared, .closed])
    func alertEvent(kind: AlertEvent.Kind) throws {
        for (alert, previous) in zip(try Self.alerts(), [nil, Severity.minor, nil, .critical, .warning, nil]) {
            let event = AlertEvent(kind: kind, alert: alert, previousSeverity: previous)
            let when = instant("2026-03-02T07:10:00.123Z")
            let decoded = try JSONCodec.decodeAlertEvent(JSONFields.read(JSONCodec.alertEvent(event, time: when), what: "an alert event"))
            #expect(decoded == AlertEventMessage(event: kind.rawValue, time: when, previousSeverity: previous, alert: Self.snapshot(of: alert)))
        }
    }

    // MARK: The service's own

    @Test("Metrics: a fresh service, a busy one, large counts, lag to the microsecond, unicode reasons", arguments: [
        ServiceMetricsMessage(time: instant("2026-03-02T06:00:00.000Z"), messagesIn: 0),
        MetricsCodecTests.busy,
        ServiceMetricsMessage(time: instant("2199-12-31T23:59:59.999Z"), messagesIn: 8_999_999_999_999_998,
                              decodeErrors: ["too_large": 1 << 52], refusals: ["ünbekannt_β": 3, "": 1], deadLetters: 1 << 40,
                              unknownKind: 1, dropped: 1 << 50, lagMean: .microseconds(1), lagMaximum: .seconds(86_400),
                              twins: 1_000_000, heapBytes: 1 << 52, connectivity: [.online: 1, .offline: 2, .stale: 3, .unknown: 999_999_994],
                              openAlerts: 5, activeAlerts: 4, alertEvents: 1 << 45, acknowledged: 3, acknowledgementsRefused: 2,
                              ruleEvaluations: 8_999_999_999_999_999),
    ])
    func metrics(metrics: ServiceMetricsMessage) throws {
        #expect(try JSONCodec.decodeMetrics(JSONCodec.metrics(metrics)) == metrics)
    }
}
