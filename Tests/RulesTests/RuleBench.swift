import Foundation
@testable import Rules
import TwinModel
import Twins
import TwinHubProtocol

/// Seconds after 06:00 on 2 March 2026 (UTC): the virtual clock of these tests.
func t(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_772_431_200 + seconds) }

/// A probe machine kind with the rules given in YAML, for exercising one condition at a time.
func probeKind(rules: String, file: String = "probe.yaml") throws -> MachineKind {
    try KindLoader.load(yaml: """
        kind: probe
        sample_interval: 1s
        properties:
          temp: { unit: °C, normal: [0, 80], limits: [-50, 200], decimals: 1 }
          load: { unit: "%", normal: [0, 100], limits: [0, 150] }
          flow: { unit: l/min, normal: [10, 30], limits: [0, 40] }
        rules:
        \(rules.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """, file: file)
}

/// One twin and its rules, driven by hand on a virtual clock. Every call returns the alert events.
struct RuleBench {
    var twin: Twin
    var rules: MachineRules
    private var sequence: UInt64 = 0
    private var stateSequence: UInt64 = 0

    init(kind: MachineKind) {
        let address = PlantPath(site: "site", area: "area", line: "line", machine: "m1")
        twin = Twin(address: address, kind: kind.interface, settings: TwinSettings(historySize: 8))
        rules = MachineRules(address: address, kind: kind.id, rules: kind.rules)
    }

    init(rules yaml: String) throws {
        self.init(kind: try probeKind(rules: yaml))
    }

    /// Telemetry at machine time `time`, received at wall time `received` (by default the same).
    @discardableResult
    mutating func send(_ values: [String: Double], at time: Double, received: Double? = nil) -> [AlertEvent] {
        sequence += 1
        let readings = values.sorted { $0.key < $1.key }.map { name, value in
            TelemetrySample.Reading(property: name, value: value, unit: twin.kind?.property(named: name)?.unit ?? "")
        }
        twin.apply(TelemetrySample(time: t(time), sequence: sequence, values: readings), received: t(received ?? time))
        return rules.evaluate(twin, trigger: .telemetry(Array(values.keys)), wall: t(received ?? time))
    }

    @discardableResult
    mutating func send(temp: Double, at time: Double) -> [AlertEvent] { send(["temp": temp], at: time) }

    @discardableResult
    mutating func state(_ state: MachineState, at time: Double) -> [AlertEvent] {
        stateSequence += 1
        twin.apply(StateChange(time: t(time), sequence: stateSequence, state: state, previous: twin.state, reason: "test"), received: t(time))
        return rules.evaluate(twin, trigger: .state, wall: t(time))
    }

    @discardableResult
    mutating func status(online: Bool, at time: Double) -> [AlertEvent] {
        twin.apply(MachineStatus(online: online, time: nil, reason: online ? "up" : "will"), received: t(time))
        return rules.evaluate(twin, trigger: .clock, wall: t(time))
    }

    /// The service's clock ticking at wall time `time` (the twin is refreshed as the service does).
    @discardableResult
    mutating func tick(at time: Double) -> [AlertEvent] {
        twin.refresh(now: t(time))
        return rules.evaluate(twin, trigger: .clock, wall: t(time))
    }

    @discardableResult
    mutating func acknowledge(_ rule: String, by person: String = "trainer", comment: String = "", at time: Double) throws(AlertError) -> [AlertEvent] {
        try rules.acknowledge(rule: rule, by: person, comment: comment, at: t(time))
    }

    /// The open alert of `rule`.
    func alert(_ rule: String) -> Alert? { rules.alerts.first { $0.rule == rule } }
}

extension [AlertEvent] {
    var kinds: [AlertEvent.Kind] { map(\.kind) }
    /// The lifecycle's events: without the refreshes of an active alert's text (`updated`).
    var lifecycle: [AlertEvent.Kind] { kinds.filter { $0 != .updated } }
}
