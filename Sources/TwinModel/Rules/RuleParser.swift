import RuleLanguage
import Foundation
import Yams

/// Reads the `rules:` of a kind, a scenario machine or a rules file into ``RuleSpec``s, checked against
/// the kind's interface: every error is a ``ModelError`` at the file, line and column it is about.
enum RuleParser {
    static let conditionKeys = ["threshold", "expression", "rate", "inactivity", "state", "kpi", "prediction"]
    static let ruleKeys = ["id", "name", "description", "severity", "for", "clear", "clear_for", "repeat", "while", "latch",
                           "message", "enabled"] + conditionKeys

    /// Parses a list of rules; errors go to `diagnostics` and the rule is left out.
    static func parseRules(_ node: YAMLNode, interface: MachineInterface, diagnostics: DiagnosticCollector) -> [RuleSpec] {
        guard let items = diagnostics.collect({ try node.sequence("rules") }) else { return [] }
        var rules: [RuleSpec] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let rule = diagnostics.collect({ try parseRule(item, interface: interface) }) else { continue }
            if let first = seen[rule.id] {
                diagnostics.record(ModelError("rule '\(rule.id)' is already defined at \(first)", at: rule.location))
                continue
            }
            seen[rule.id] = rule.location
            rules.append(rule)
        }
        return rules
    }

    /// Parses the rule overrides of a scenario machine or a rules file: a full rule replaces (or adds) the
    /// rule of its id; `{id, enabled}` alone switches an existing rule on or off.
    static func parseOverrides(_ node: YAMLNode, kind: MachineKind, diagnostics: DiagnosticCollector) -> [RuleOverride.Entry] {
        guard let items = diagnostics.collect({ try node.sequence("rules") }) else { return [] }
        var entries: [RuleOverride.Entry] = []
        for item in items {
            let entry = diagnostics.collect { () throws(ModelError) -> RuleOverride.Entry in
                let map = try item.mapping("a rule")
                let keys = Set(map.entries.map(\.key))
                if keys.isDisjoint(with: conditionKeys) {
                    try map.checkKeys(["id", "enabled"])
                    let idNode = try map.required("id")
                    let id = try idNode.identifier("rule id")
                    guard kind.rules.contains(where: { $0.id == id }) else {
                        let hint = Spelling.hint(for: id, in: kind.rules.map(\.id))
                        throw idNode.error("kind '\(kind.id)' has no rule '\(id)'\(hint) (a new rule needs a condition: \(conditionKeys.joined(separator: ", ")))")
                    }
                    let enabled = try map.required("enabled").bool("enabled")
                    return .enable(id: id, enabled, location: idNode.location)
                }
                return .replace(try parseRule(item, interface: kind.interface))
            }
            if let entry { entries.append(entry) }
        }
        return entries
    }

    // MARK: One rule

    static func parseRule(_ node: YAMLNode, interface: MachineInterface) throws(ModelError) -> RuleSpec {
        let map = try node.mapping("a rule")
        try map.checkKeys(ruleKeys)
        let idNode = try map.required("id")
        let id = try idNode.identifier("rule id")
        let present = conditionKeys.filter { map.optional($0) != nil }
        guard present.count == 1 else {
            if present.isEmpty { throw node.error("rule '\(id)' needs one condition: \(conditionKeys.joined(separator: ", "))") }
            throw try map.required(present[1]).error("rule '\(id)' has more than one condition (\(present.joined(separator: ", "))); split it into rules")
        }
        let severity = try map.optional("severity").map { node throws(ModelError) in try parseSeverity(node) } ?? .warning
        let variables = RuleVariables.types(for: interface)
        let condition = try parseCondition(present[0], try map.required(present[0]), interface: interface, severity: severity, variables: variables)

        var clear: RuleExpression?
        if let clearNode = map.optional("clear") {
            clear = try parseExpression(clearNode, variables: variables, what: "clear")
        }
        var repetition: RuleSpec.Repetition?
        if let repeatNode = map.optional("repeat") {
            let repeatMap = try repeatNode.mapping("repeat")
            try repeatMap.checkKeys(["count", "within"])
            let count = try repeatMap.required("count").int("repeat count")
            guard (2...10_000).contains(count) else { throw try repeatMap.required("count").error("repeat count must be from 2 to 10000") }
            let within = try repeatMap.required("within").duration("repeat within")
            guard within > .zero else { throw try repeatMap.required("within").error("repeat within must be positive") }
            repetition = .init(count: count, within: within)
        }
        var states: Set<MachineState>?
        if let whileNode = map.optional("while") {
            states = try whileNode.machineStates("while")
        }
        let placeholders = placeholders(for: condition, interface: interface)
        let message: MessageTemplate
        if let messageNode = map.optional("message") {
            let text = try messageNode.string("message")
            do {
                message = try MessageTemplate.parse(text, placeholders: placeholders)
            } catch {
                throw messageNode.error(at: error, in: "message")
            }
        } else {
            message = try! MessageTemplate.parse(defaultMessage(for: condition), placeholders: placeholders)
        }
        return RuleSpec(
            id: id, name: try map.optional("name")?.string("name") ?? id.replacingOccurrences(of: "_", with: " "),
            description: try map.optional("description")?.string("description") ?? "",
            condition: condition, severity: severity,
            holdFor: try map.optional("for")?.duration("for"), clearFor: try map.optional("clear_for")?.duration("clear_for"),
            clear: clear, repetition: repetition, states: states,
            latch: try map.optional("latch")?.bool("latch") ?? true, message: message,
            enabled: try map.optional("enabled")?.bool("enabled") ?? true, location: idNode.location)
    }

    private static func parseCondition(_ key: String, _ node: YAMLNode, interface: MachineInterface, severity: Severity,
                                       variables: [String: ExpressionType]) throws(ModelError) -> RuleCondition {
        switch key {
        case "threshold": return try parseThreshold(node, interface: interface, severity: severity)
        case "expression":
            let expression = try parseExpression(node, variables: variables, what: "expression")
            return .expression(expression)
        case "rate":
            let map = try node.mapping("rate")
            try map.checkKeys(["property", "over", "rises_by", "falls_by", "hysteresis"])
            let property = try parseProperty(map, interface: interface)
            let over = try map.required("over").duration("over")
            guard over >= .seconds(1) else { throw try map.required("over").error("over must be at least 1s") }
            let rising = map.optional("rises_by") != nil
            guard rising != (map.optional("falls_by") != nil) else { throw node.error("rate needs one of rises_by or falls_by") }
            let levels = try parseLevels(try map.required(rising ? "rises_by" : "falls_by"), direction: .above, severity: severity,
                                         hysteresis: map.optional("hysteresis"), durations: false)
            return .rate(property: property, over: over, rising: rising, levels: levels)
        case "inactivity":
            let map = try node.mapping("inactivity")
            try map.checkKeys(["no_data", "offline"])
            if let noData = map.optional("no_data") {
                guard map.optional("offline") == nil else { throw node.error("inactivity takes no_data or offline, not both: make two rules") }
                return .noData(try parseLevels(noData, direction: .above, severity: severity, hysteresis: nil, durations: true))
            }
            return .offline(try parseLevels(try map.required("offline"), direction: .above, severity: severity, hysteresis: nil, durations: true))
        case "state":
            let map = try node.mapping("state")
            try map.checkKeys(["in", "longer_than", "stops", "within"])
            if let stops = map.optional("stops") {
                guard map.optional("in") == nil, map.optional("longer_than") == nil else {
                    throw node.error("state takes stops (with within) or in with longer_than, not both: make two rules")
                }
                let within = try map.optional("within")?.duration("within") ?? .seconds(3600)
                guard within >= .seconds(1) else { throw try map.required("within").error("within must be at least 1s") }
                let levels = try parseLevels(stops, direction: .above, severity: severity, hysteresis: nil, durations: false)
                for (_, value) in levels.thresholds where value != value.rounded() || !(0...100_000).contains(value) {
                    throw stops.error("stops levels are whole numbers from 0 to 100000, not \(Levels.text(value))")
                }
                return .stops(within: within, levels: levels)
            }
            let states = try map.required("in").machineStates("in")
            return .stateDuration(states: states, levels: try parseLevels(try map.required("longer_than"), direction: .above, severity: severity,
                                                                          hysteresis: nil, durations: true))
        case "kpi":
            let map = try node.mapping("kpi")
            try map.checkKeys(["metric", "below", "over", "min_time", "hysteresis"])
            let metricNode = try map.required("metric")
            let metricText = try metricNode.string("metric")
            guard let metric = KPIMetric(rawValue: metricText) else {
                throw metricNode.error("unknown KPI '\(metricText)'\(Spelling.hint(for: metricText, in: KPIMetric.allCases.map(\.rawValue))) (known: oee, availability, performance, quality)")
            }
            var scope = KPIScope.window
            if let overNode = map.optional("over") {
                let text = try overNode.string("over")
                guard let parsed = KPIScope(rawValue: text) else { throw overNode.error("over must be window or shift, not '\(text)'") }
                scope = parsed
            }
            let levels = try parseLevels(try map.required("below"), direction: .below, severity: severity, hysteresis: map.optional("hysteresis"), durations: false)
            for (_, value) in levels.thresholds where !(0...1).contains(value) {
                throw try map.required("below").error("KPI targets are fractions from 0 to 1 (0.65 for 65 %), not \(value)")
            }
            return .kpi(metric: metric, scope: scope, minimumTime: try map.optional("min_time")?.duration("min_time") ?? .seconds(900), levels: levels)
        default:
            let map = try node.mapping("prediction")
            try map.checkKeys(["property", "exceeds", "falls_below", "window", "within", "hysteresis"])
            let property = try parseProperty(map, interface: interface)
            let rising = map.optional("exceeds") != nil
            guard rising != (map.optional("falls_below") != nil) else { throw node.error("prediction needs one of exceeds or falls_below") }
            let limit = try map.required(rising ? "exceeds" : "falls_below").double(rising ? "exceeds" : "falls_below")
            let window = try map.optional("window")?.duration("window") ?? .seconds(7200)
            guard window >= .seconds(60) else { throw try map.required("window").error("the trend window must be at least 1m") }
            var levels = try parseLevels(try map.required("within"), direction: .below, severity: severity, hysteresis: nil, durations: true)
            if let hysteresis = map.optional("hysteresis") {
                levels.hysteresis = .absolute(try hysteresis.duration("hysteresis").secondsValue)
            } else {
                levels.hysteresis = .relative(0.1)
            }
            return .prediction(.init(property: property, limit: limit, direction: rising ? .above : .below, window: window, levels: levels))
        }
    }

    private static func parseThreshold(_ node: YAMLNode, interface: MachineInterface, severity: Severity) throws(ModelError) -> RuleCondition {
        let map = try node.mapping("threshold")
        try map.checkKeys(["property", "above", "below", "between", "outside", "hysteresis"])
        let property = try parseProperty(map, interface: interface)
        let tests = ["above", "below", "between", "outside"].filter { map.optional($0) != nil }
        guard tests.count == 1 else { throw node.error("threshold needs exactly one of above, below, between or outside") }
        let testNode = try map.required(tests[0])
        switch tests[0] {
        case "above", "below":
            let levels = try parseLevels(testNode, direction: tests[0] == "above" ? .above : .below, severity: severity,
                                         hysteresis: map.optional("hysteresis"), durations: false)
            return .threshold(property: property, test: .levels(levels))
        default:
            var ranges: [Severity: ClosedRange<Double>] = [:]
            if testNode.node.sequence != nil {
                ranges[severity] = try testNode.range(tests[0])
            } else {
                for entry in try testNode.mapping(tests[0]).entries {
                    ranges[try parseSeverity(entry.keyNode)] = try entry.value.range("\(tests[0]) for \(entry.key)")
                }
            }
            guard !ranges.isEmpty else { throw testNode.error("give at least one range") }
            let hysteresis = try map.optional("hysteresis")?.double("hysteresis") ?? 0
            guard hysteresis >= 0 else { throw try map.required("hysteresis").error("hysteresis must not be negative") }
            return .threshold(property: property, test: .bands(Bands(inside: tests[0] == "between", ranges: ranges, hysteresis: hysteresis)))
        }
    }

    // MARK: Parts

    private static func parseProperty(_ map: YAMLMapping, interface: MachineInterface) throws(ModelError) -> String {
        let node = try map.required("property")
        let name = try node.string("property")
        guard interface.property(named: name) != nil else {
            throw node.error("kind '\(interface.id)' has no property '\(name)'\(Spelling.hint(for: name, in: interface.properties.map(\.name)))")
        }
        return name
    }

    static func parseSeverity(_ node: YAMLNode) throws(ModelError) -> Severity {
        let text = try node.string("severity")
        guard let severity = Severity(rawValue: text) else {
            throw node.error("unknown severity '\(text)'\(Spelling.hint(for: text, in: Severity.allCases.map(\.rawValue))) (warning, minor, major, critical)")
        }
        return severity
    }

    /// `70` (at the rule's severity) or `{warning: 70, major: 80}`; durations in seconds when `durations`.
    private static func parseLevels(_ node: YAMLNode, direction: Levels.Direction, severity: Severity, hysteresis: YAMLNode?,
                                    durations: Bool) throws(ModelError) -> Levels {
        func value(_ node: YAMLNode, _ what: String) throws(ModelError) -> Double {
            durations ? try node.duration(what).secondsValue : try node.double(what)
        }
        var thresholds: [Severity: Double] = [:]
        if node.node.mapping != nil {
            for entry in try node.mapping("levels").entries {
                thresholds[try parseSeverity(entry.keyNode)] = try value(entry.value, "the \(entry.key) level")
            }
        } else {
            thresholds[severity] = try value(node, "the level")
        }
        var margin = 0.0
        if let hysteresis {
            margin = try hysteresis.double("hysteresis")
            guard margin >= 0 else { throw hysteresis.error("hysteresis must not be negative") }
        }
        do {
            return try Levels(direction: direction, thresholds: thresholds, hysteresis: .absolute(margin))
        } catch {
            throw node.error("levels out of order: \(error.description)")
        }
    }

    private static func parseExpression(_ node: YAMLNode, variables: [String: ExpressionType], what: String) throws(ModelError) -> RuleExpression {
        let text = try node.string(what)
        let expression: RuleExpression
        do {
            expression = try ExpressionParser.parse(text, variables: variables)
        } catch {
            throw node.error(at: error, in: what)
        }
        guard expression.type == .boolean else {
            throw node.error("\(what) must be true or false (a comparison such as 'spindle_load > 90'), not a \(expression.type.rawValue)")
        }
        return expression
    }

    // MARK: Messages

    /// The placeholders a rule's message may use.
    static func placeholders(for condition: RuleCondition, interface: MachineInterface) -> Set<String> {
        var names: Set<String> = ["machine", "site", "area", "line", "kind", "rule", "name", "severity", "state"]
        names.formUnion(interface.properties.map(\.name))
        switch condition {
        case .threshold: names.formUnion(["property", "value", "unit", "limit"])
        case .expression: break
        case .rate: names.formUnion(["property", "value", "unit", "limit", "change", "over"])
        case .noData, .offline, .stateDuration: names.formUnion(["duration", "limit"])
        case .stops: names.formUnion(["stops", "within", "limit"])
        case .kpi: names.formUnion(["metric", "value", "limit"])
        case .prediction: names.formUnion(["property", "value", "unit", "limit", "eta", "trend"])
        }
        return names
    }

    static func defaultMessage(for condition: RuleCondition) -> String {
        switch condition {
        case .threshold(_, .levels(let levels)):
            "{property} {value} {unit} is \(levels.direction == .above ? "above" : "below") {limit} {unit}"
        case .threshold(_, .bands(let bands)): bands.inside ? "{property} {value} {unit} is in an alarm range" : "{property} {value} {unit} is out of range"
        case .expression: "{name}"
        case .rate(_, _, let rising, _): "{property} \(rising ? "rose" : "fell") {change} {unit} in {over}"
        case .noData: "no data for {duration}"
        case .offline: "offline for {duration}"
        case .stateDuration: "{state} for {duration}"
        case .stops: "{stops} stops within {within}"
        case .kpi: "{metric} {value} is below {limit}"
        case .prediction(let prediction):
            prediction.direction == .above ? "{property} predicted to exceed {limit} {unit} in {eta}" : "{property} predicted to fall below {limit} {unit} in {eta}"
        }
    }
}

extension YAMLNode {
    /// An error inside an expression or a template, at its file position where it can be known: a single-
    /// line plain or quoted scalar maps column for column; otherwise the scalar's start, with the column
    /// within the text.
    func error(at error: ExpressionError, in what: String) -> ModelError {
        if let scalar = node.scalar, !scalar.string.contains("\n") {
            switch scalar.style {
            case .plain: return ModelError("\(what): \(error.message)", at: shifted(by: error.column - 1))
            case .singleQuoted, .doubleQuoted: return ModelError("\(what): \(error.message)", at: shifted(by: error.column))
            default: break
            }
        }
        return ModelError("\(what), column \(error.column) of the text: \(error.message)", at: location)
    }

    private func shifted(by columns: Int) -> SourceLocation {
        var location = self.location
        location.column += columns
        return location
    }
}
