import Testing
@testable import TwinModel

@Suite("Alert rules in YAML")
struct RuleLoaderTests {
    static let kindHeader = """
        kind: probe
        properties:
          temp: { unit: °C, normal: [0, 50], limits: [0, 100] }
        rules:

        """

    static func errors(_ rules: String) -> [String] {
        do {
            _ = try KindLoader.load(yaml: kindHeader + rules, file: "probe.yaml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("Every shipped kind has rules that load, with the bearing prediction on its vibration")
    func shippedRules() throws {
        let kinds = try KindLoader.loadDirectory(Repository.twins)
        for kind in kinds.values {
            #expect(kind.rules.count >= 8, "\(kind.id) has \(kind.rules.count) rules")
            let prediction = try #require(kind.rules.first { $0.id == "bearing_failure_predicted" }, "\(kind.id)")
            guard case .prediction(let spec) = prediction.condition else { Issue.record("not a prediction"); continue }
            #expect(kind.interface.property(named: spec.property) != nil)
            #expect(prediction.states == [.running])
        }
        let cnc = try #require(kinds["cnc_machining_centre"])
        #expect(Set(cnc.rules.map(\.condition.name)) == ["threshold", "expression", "rate", "inactivity", "state", "kpi", "prediction"])
    }

    @Test("A rule in words gives durations in minutes and hours, not seconds")
    func summaries() throws {
        let kinds = try KindLoader.loadDirectory(Repository.twins)
        let cnc = try #require(kinds["cnc_machining_centre"])
        let summary = { (id: String) in cnc.rules.first { $0.id == id }?.summary }
        #expect(summary("machine_offline") == "offline for longer than warning 1 min, major 10 min")
        #expect(summary("bearing_failure_predicted")
            == "vibration trend over 2 h exceeds 7.1 within warning 24 h, major 8 h, critical 2 h (hysteresis 10 %) while running")
        #expect(summary("spindle_overheat") == "spindle_temperature above warning 70, major 85, critical 92 (hysteresis 3) for 10 s")
    }

    @Test("Mistakes are reported at their line and column, expressions and templates to the character")
    func errorPositions() {
        // Lines 5 onwards are the rules (the header has four lines).
        #expect(Self.errors("  - { id: a, threshold: { property: tmp, above: 1 } }") == [
            "probe.yaml:5:37: kind 'probe' has no property 'tmp'; did you mean 'temp'?",
        ])
        #expect(Self.errors("  - id: b\n    expression: temp > 5 and (temp + ) < 3") == ["probe.yaml:6:38: expression: expected a value, found ')'"])
        #expect(Self.errors("  - { id: c, expression: \"temp > 5 and tmp < 3\" }").first?.hasPrefix("probe.yaml:5:40: expression: unknown variable 'tmp'") == true)
        #expect(Self.errors("  - { id: d, expression: temp + 1 }").first?.contains("must be true or false") == true)
        #expect(Self.errors("  - { id: e, threshold: { property: temp, above: { warning: 80, major: 70 } } }")
            == ["probe.yaml:5:50: levels out of order: major (70) must be above warning (80)"])
        #expect(Self.errors("  - { id: f, threshold: { property: temp, above: 80 }, message: \"hot {valeu}\" }")
            == ["probe.yaml:5:71: message: unknown placeholder 'valeu'; did you mean 'value'?"])
        #expect(Self.errors("  - { id: g, threshold: { property: temp, above: 80 }, kpi: { metric: oee, below: 0.5 } }").first?.contains("more than one condition") == true)
        #expect(Self.errors("  - { id: h, threshold: { property: temp, above: 80 }, severity: severe }").first?.contains("did you mean") == false)
        #expect(Self.errors("  - { id: i }").first?.contains("needs one condition") == true)
        #expect(Self.errors("  - { id: j, threshold: { property: temp, above: 1 } }\n  - { id: j, threshold: { property: temp, above: 2 } }").first?.contains("already defined") == true)
        #expect(Self.errors("  - { id: k, state: { in: faulty, longer_than: 1m } }").first?.contains("did you mean 'fault'") == true)
    }

    @Test("A scenario machine can switch off, replace or add rules; a wrong id is an error")
    func scenarioOverrides() throws {
        let kinds = try KindLoader.loadDirectory(Repository.twins)
        let yaml = """
            scenario: s
            sites:
              - id: site
                areas:
                  - id: area
                    lines:
                      - id: line
                        machines:
                          - id: cnc-01
                            kind: cnc_machining_centre
                            rules:
                              - { id: low_oee, enabled: false }
                              - { id: hot_air, threshold: { property: spindle_temperature, above: 40 } }
            """
        let scenario = try ScenarioLoader.load(yaml: yaml, file: "s.yaml", kinds: kinds)
        let book = RuleBook(kinds: kinds, overrides: scenario.ruleOverrides)
        let rules = book.rules(kind: "cnc_machining_centre", path: PlantPath(site: "site", area: "area", line: "line", machine: "cnc-01")).map(\.id)
        #expect(!rules.contains("low_oee"))
        #expect(rules.last == "hot_air")
        #expect(book.rules(kind: "cnc_machining_centre", path: PlantPath(site: "site", area: "area", line: "line", machine: "cnc-02")).map(\.id).contains("low_oee"))
        do {
            _ = try ScenarioLoader.load(yaml: yaml.replacingOccurrences(of: "id: low_oee", with: "id: low_oe"), file: "s.yaml", kinds: kinds)
            Issue.record("an unknown rule id was accepted")
        } catch {
            #expect(error.description.contains("s.yaml:12:27: kind 'cnc_machining_centre' has no rule 'low_oe'; did you mean 'low_oee'?"), "\(error)")
        }
    }

    @Test("twinhub validate's checker reads rules files beside the kinds")
    func rulesFile() {
        let report = ModelValidator.validate(paths: [Repository.twins, Repository.root.appendingPathComponent("rules").path])
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.ruleSets.map(\.id) == ["example_overrides"])
    }
}
