import Foundation
import RuleLanguage
@testable import Rules
import Simulation
import Testing
import TestSupport
import TwinModel

/// The README's table of what the factory demo shows ("What you will see"), checked against the demo's scenario
/// simulated without a broker at the demo's 60×: the seed fixes every time in it.
@Suite("The factory demo's script in the README")
struct DemoScriptTests {
    /// The demo's default speed: a wall second of the table is a simulated minute.
    static let speed = 60.0
    /// How far a row's time may be from what happens: the table gives whole seconds.
    static let tolerance = 1.0

    /// An alert event a row names: `High vibration, warning`, `… escalates to major`, `… clears`.
    struct ExpectedAlert: CustomStringConvertible {
        var name: String
        var kind: AlertEvent.Kind
        var severity: Severity?

        var description: String { "\(name) \(kind)\(severity.map { " \($0)" } ?? "")" }

        /// The alerts of one cell, separated by `;`; a raise may go on `, then <severity>` (an escalation).
        static func parse(_ cell: String) throws -> [ExpectedAlert] {
            try cell.split(separator: ";").flatMap { clause -> [ExpectedAlert] in
                let text = clause.trimmingCharacters(in: .whitespaces)
                if text.hasSuffix(" clears") { return [ExpectedAlert(name: String(text.dropLast(7)), kind: .cleared)] }
                if let escalation = text.range(of: " escalates to ") {
                    return [ExpectedAlert(name: String(text[..<escalation.lowerBound]), kind: .escalated,
                                          severity: try severity(text[escalation.upperBound...]))]
                }
                let parts = text.components(separatedBy: ", ")
                let raised = ExpectedAlert(name: parts[0], kind: .raised, severity: try severity(parts.count > 1 ? parts[1] : ""))
                return try [raised] + parts.dropFirst(2).map { then in
                    ExpectedAlert(name: parts[0], kind: .escalated, severity: try severity(then.replacingOccurrences(of: "then ", with: "")))
                }
            }
        }

        private static func severity(_ text: some StringProtocol) throws -> Severity {
            try #require(Severity(rawValue: String(text)), "'\(text)' is not a severity")
        }
    }

    /// One row: its time (or the start and end of a span) in wall seconds since the start, its machine (or `all`),
    /// what happens and the alerts.
    struct Row: CustomStringConvertible {
        var times: [Double]
        var machine: String
        var what: String
        var alerts: [ExpectedAlert]
        var description: String { "| \(times.map(Self.clock).joined(separator: " – ")) | \(machine) | \(what) |" }

        static func clock(_ seconds: Double) -> String { String(format: "%d:%02d", Int(seconds.rounded()) / 60, Int(seconds.rounded()) % 60) }
    }

    /// The table under "What you will see" in the README.
    static func table() throws -> [Row] {
        let readme = try String(contentsOf: ScenarioRun.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### What you will see").dropFirst().first)
        let lines = section.split(separator: "\n").drop { !$0.hasPrefix("| when |") }.dropFirst(2).prefix { $0.hasPrefix("|") }
        return try lines.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(cells.count == 4, "\(line)")
            let times = try cells[0].components(separatedBy: " – ").map { time in
                let parts = time.split(separator: ":").compactMap { Double($0) }
                try #require(parts.count == 2, "'\(time)' is not m:ss")
                return parts[0] * 60 + parts[1]
            }
            return Row(times: times, machine: cells[1], what: cells[2], alerts: try ExpectedAlert.parse(cells[3]))
        }
    }

    /// What one machine of the demo did, each at its wall time (seconds since the start).
    struct Happened {
        var alerts: [(time: Double, event: AlertEvent)] = []
        var states: [(time: Double, state: MachineState)] = []
        var network: [(time: Double, up: Bool)] = []
    }

    /// Runs `instance` of `scenario` until `wall` seconds at the demo's speed.
    static func run(_ instance: MachineInstance, of scenario: Scenario, until wall: Double) -> Happened {
        var run = ScenarioRun(instance, of: scenario, speed: speed)
        var happened = Happened()
        var simulated = 0.0
        while simulated < wall * speed {
            simulated += 10
            run.advance(to: simulated) { step, _ in
                let time = step.time.timeIntervalSince(scenario.start) / speed
                switch step.event {
                case .state(let change)?: happened.states.append((time, change.state))
                case .network(let up, _)?: happened.network.append((time, up))
                default: break
                }
                happened.alerts += step.alerts.map { (time, $0) }
            }
        }
        return happened
    }

    @Test("Every row of the README's table happens at its time in the factory demo (a simulated fault, alert or reconnect at the second the table gives)", .cpuBound)
    func readmeTable() throws {
        let scenario = try ScenarioRun.scenario("factory-demo.yaml")
        let rows = try Self.table()
        try #require(rows.count >= 10, "the table has its rows")
        let end = rows.flatMap(\.times).max()! + 2 * Self.tolerance
        var runs: [String: Happened] = [:]
        for instance in scenario.machines where rows.contains(where: { $0.machine == instance.id || $0.machine == "all" }) {
            let machineEnd = rows.filter { $0.machine == instance.id }.flatMap(\.times).max() ?? rows[0].times[0]
            runs[instance.id] = Self.run(instance, of: scenario, until: min(end, machineEnd + 2 * Self.tolerance))
        }
        for row in rows {
            let machines = row.machine == "all" ? scenario.machines.map(\.id) : [row.machine]
            for machine in machines {
                let happened = try #require(runs[machine], "\(row): no machine \(machine) in the demo")
                try check(row, against: happened)
            }
        }
    }

    /// The times of what `row` says: its alerts, and the state or network change its text names.
    func check(_ row: Row, against happened: Happened) throws {
        var times: [Double] = []
        let first = row.times[0], last = row.times.last!
        /// The time of the event nearest the row's span, if there is one in it.
        func nearest(_ candidates: [Double], _ what: String) {
            let found = candidates.min { distance($0) < distance($1) }
            guard let found, distance(found) <= Self.tolerance else {
                Issue.record("\(row): \(what) \(found.map { "happens at \(Row.clock($0))" } ?? "never happens")")
                return
            }
            times.append(found)
        }
        func distance(_ time: Double) -> Double { time < first ? first - time : time > last ? time - last : 0 }

        for expected in row.alerts {
            nearest(happened.alerts.filter { alert in
                alert.event.alert.ruleName == expected.name && alert.event.kind == expected.kind
                    && expected.severity.map { $0 == alert.event.alert.severity } != false
            }.map(\.time), "\(expected)")
        }
        let phrases: [(phrase: String, times: [Double])] = [
            ("the shift starts", happened.states.filter { $0.state == .running }.prefix(1).map(\.time)),
            ("drops off the network", happened.network.filter { !$0.up }.map(\.time)),
            ("reconnects", happened.network.filter(\.up).map(\.time)),
            ("trips to fault", happened.states.filter { $0.state == .fault }.map(\.time)),
        ]
        let named = phrases.filter { row.what.contains($0.phrase) }
        for (phrase, candidates) in named { nearest(candidates, "'\(phrase)'") }
        #expect(!row.alerts.isEmpty || !named.isEmpty, "\(row): the test cannot check a row without alerts or one of \(phrases.map(\.phrase))")
        if row.times.count == 2, !times.isEmpty {
            #expect(abs(times.min()! - first) <= Self.tolerance && abs(times.max()! - last) <= Self.tolerance,
                    "\(row): its span is from the first to the last of \(times.map(Row.clock))")
        }
    }

    @Test("The table's cells read as the test reads them")
    func parsing() throws {
        let alerts = try ExpectedAlert.parse("Coolant flow low, major; Machine offline, warning, then major; Stuck in fault escalates to critical; High vibration clears")
        #expect(alerts.map(\.description) == ["Coolant flow low raised major", "Machine offline raised warning", "Machine offline escalated major",
                                              "Stuck in fault escalated critical", "High vibration cleared"])
        #expect(try ExpectedAlert.parse("").isEmpty)
    }
}
