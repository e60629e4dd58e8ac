import Foundation

/// Scenario files written by a test, for `twinhub sim` and `twinhub serve --scenario` as child processes.
enum TestScenario {
    /// CNC machining centres (or machines of `kind`) on one line (`{enterprise}/site/area/line/{machine}`), running from
    /// their first sample: no set-up, no random faults. Each of `rules` (a YAML flow mapping) is added to every machine's
    /// rules.
    static func cnc(enterprise: String, machines: [String], rules: [String] = [], kind: String = "cnc_machining_centre") -> String {
        let ruleLines: [String] = rules.isEmpty ? [] : ["  rules:"] + rules.map { "    - \($0)" }
        let lines: [String] = machines.flatMap { id -> [String] in
            ["- id: \(id)", "  kind: \(kind)", "  random_faults: false"] + ruleLines
        }
        let indent = String(repeating: " ", count: 14)
        let machines = lines.map { indent + $0 }.joined(separator: "\n")
        return """
            scenario: \(enterprise)_test
            enterprise: \(enterprise)
            seed: 11
            setup_time: 0s
            sites:
              - id: site
                areas:
                  - id: area
                    lines:
                      - id: line
                        machines:
            \(machines)

            """
    }

    /// Writes `yaml` as `{name}.yaml` in `folder`.
    static func write(_ yaml: String, named name: String, in folder: URL) throws -> URL {
        let file = folder.appendingPathComponent("\(name).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
