import RuleLanguage
import Foundation
import TwinModel
import Twins

/// What a rule saw in one evaluation: the severity its condition calls for (`nil`: none), and the
/// figures to explain and render it.
struct Observation {
    var severity: Severity?
    var measure: Double?
    var threshold: Double?
    var values: [String: Double] = [:]
    /// Placeholder texts for the message (`value`, `limit`, `eta`...), made only when a message is rendered:
    /// formatting numbers costs more than evaluating the rule.
    var texts: () -> [String: String] = { [:] }
    /// A prediction whose limit is reached (the value or its trend is past it): its message says so instead of
    /// predicting what has happened.
    var fulfilled = false

    /// Compares `measure` with `levels`: the severity it calls for given the one in force, and the
    /// threshold that severity (or, below every level, the entry level) stands at.
    mutating func grade(_ measure: Double, by levels: Levels, current: Severity?) {
        self.measure = measure
        severity = levels.severity(for: measure, current: current)
        threshold = levels.threshold(of: severity ?? current ?? levels.entry.severity)
    }
}

/// The clocks an evaluation runs on.
struct RuleClock {
    /// The machine's own clock (its source timestamps, carried forward while it is silent).
    var machine: Date
    /// The service's wall clock (for receive times: silence, offline).
    var wall: Date

    /// The clocks for evaluating `twin`'s rules at wall time `wall`. While the machine speaks, its clock is the time
    /// of its latest message; while it is silent (stale or offline), the time its KPIs were carried to on the wall
    /// clock. A machine whose clock stood still meanwhile (a held simulation) is judged on its own clock again once it
    /// speaks, not on the wall time that passed.
    init(_ twin: Twin, wall: Date) {
        let own = twin.machineTime ?? wall
        machine = twin.connectivity.status == .online ? own : (twin.kpi.accountedTime ?? own)
        self.wall = wall
    }
}

/// Evaluates a rule's condition against a twin. `nil` means the rule cannot tell (missing or stale
/// data, too little history): the alert holds as it is.
enum ConditionEvaluator {
    static func observe(_ rule: RuleSpec, twin: Twin, memory: inout RuleMemory, clock: RuleClock, current: Severity?) -> Observation? {
        switch rule.condition {
        case .threshold(let property, let test):
            guard let value = freshValue(property, in: twin) else { return nil }
            var observation = Observation(measure: value, values: [property: value])
            let quantity = Quantity(property, of: twin)
            switch test {
            case .levels(let levels):
                observation.grade(value, by: levels, current: current)
                let threshold = observation.threshold
                observation.texts = { quantity.texts(value: value, ["limit": threshold.map { quantity.format($0) }]) }
            case .bands(let bands):
                observation.severity = bands.severity(for: value, current: current)
                let range = bands.ranges[observation.severity ?? current ?? bands.ranges.keys.min()!]
                observation.texts = {
                    quantity.texts(value: value, ["limit": range.map { "\(quantity.format($0.lowerBound))–\(quantity.format($0.upperBound))" }])
                }
            }
            return observation

        case .expression(let expression):
            guard case .boolean(let holds)? = expression.evaluate({ lookup($0, twin) }) else { return nil }
            var observation = Observation(severity: holds ? rule.severity : nil)
            observation.values = numericValues(expression.variables, twin)
            return observation

        case .rate(let property, let over, let rising, let levels):
            addSample(property, twin: twin, window: over, memory: &memory)
            guard let value = freshValue(property, in: twin),
                  let fit = memory.trend?.fit(now: clock.machine, minimumSpan: over.secondsValue / 2) else { return nil }
            let change = fit.slope * over.secondsValue
            var observation = Observation(values: [property: value])
            observation.grade(rising ? change : -change, by: levels, current: current)
            let quantity = Quantity(property, of: twin), threshold = observation.threshold
            observation.texts = {
                quantity.texts(value: value, ["change": quantity.format(abs(change)), "over": HumanDuration.text(seconds: over.secondsValue),
                                              "limit": threshold.map { quantity.format($0) }])
            }
            return observation

        case .noData(let levels):
            guard let heard = twin.connectivity.lastHeard else { return nil }
            // An offline machine is the `offline` condition's business.
            let silent = twin.connectivity.status == .offline ? 0 : max(0, clock.wall.timeIntervalSince(heard))
            return timed(silent, levels, current)

        case .offline(let levels):
            var seconds = 0.0
            if twin.connectivity.status == .offline, let since = twin.connectivity.since { seconds = max(0, clock.wall.timeIntervalSince(since)) }
            return timed(seconds, levels, current)

        case .stateDuration(let states, let levels):
            var seconds = 0.0
            if states.contains(twin.state) {
                guard let since = twin.stateSince else { return nil }
                seconds = max(0, clock.machine.timeIntervalSince(since))
            }
            return timed(seconds, levels, current)

        case .stops(let within, let levels):
            memory.stops.removeAll { clock.machine.timeIntervalSince($0) >= within.secondsValue }
            let count = Double(memory.stops.count)
            var observation = Observation(values: ["stops": count])
            observation.grade(count, by: levels, current: current)
            let threshold = observation.threshold
            observation.texts = {
                ["stops": number(count, decimals: 0), "within": HumanDuration.text(seconds: within.secondsValue),
                 "limit": threshold.map { number($0, decimals: 0) }].compactMapValues { $0 }
            }
            return observation

        case .kpi(let metric, let scope, let minimumTime, let levels):
            let tally = scope == .window ? twin.kpi.window : twin.kpi.shift
            guard tally.plannedSeconds >= minimumTime.secondsValue, let value = kpi(metric, of: tally) else { return nil }
            var observation = Observation(values: [metric.rawValue: value])
            observation.grade(value, by: levels, current: current)
            let threshold = observation.threshold
            observation.texts = {
                ["metric": metric == .oee ? "OEE" : metric.rawValue, "value": percent(value), "limit": threshold.map(percent)].compactMapValues { $0 }
            }
            return observation

        case .prediction(let prediction):
            addSample(prediction.property, twin: twin, window: prediction.window, memory: &memory)
            guard let value = freshValue(prediction.property, in: twin),
                  let fit = memory.trend?.fit(now: clock.machine, minimumSpan: prediction.window.secondsValue / 4) else { return nil }
            let rising = prediction.direction == .above
            let crossed = rising ? fit.level >= prediction.limit : fit.level <= prediction.limit
            let toward = rising ? fit.slope > 0 : fit.slope < 0
            let eta = crossed ? 0 : toward ? (prediction.limit - fit.level) / fit.slope : Double.infinity
            var observation = Observation(values: [prediction.property: value, "trend_per_hour": fit.slope * 3600])
            observation.fulfilled = crossed || (rising ? value >= prediction.limit : value <= prediction.limit)
            // No crossing in sight (an infinite time) is beyond every level: no severity.
            observation.grade(eta, by: prediction.levels, current: current)
            let quantity = Quantity(prediction.property, of: twin), slope = fit.slope, limit = prediction.limit
            observation.texts = {
                quantity.texts(value: value, ["eta": HumanDuration.text(seconds: eta),
                                              "trend": "\(slope >= 0 ? "+" : "")\(quantity.format(slope * 3600, extraDecimals: 1)) \(quantity.unit)/h",
                                              "limit": quantity.format(limit)])
            }
            return observation
        }
    }

    /// Records a stop (leaving `running`) for `stops` conditions; called on every state change.
    static func noteState(_ twin: Twin, memory: inout RuleMemory, clock: RuleClock) {
        defer { memory.lastState = twin.state }
        guard let last = memory.lastState, last != twin.state, last == .running else { return }
        memory.stops.append(twin.stateSince ?? clock.machine)
    }

    // MARK: Reading the twin

    /// A property's value if it is fresh (not stale, not refused).
    static func freshValue(_ property: String, in twin: Twin) -> Double? {
        guard let reported = twin.reported[property], reported.quality == .good || reported.quality == .outOfRange else { return nil }
        return reported.value
    }

    static func lookup(_ name: String, _ twin: Twin) -> ExpressionValue? {
        if name == RuleVariables.state { return .text(twin.state.rawValue) }
        if let metric = KPIMetric(rawValue: name) { return kpi(metric, of: twin.kpi.window).map(ExpressionValue.number) }
        return freshValue(name, in: twin).map(ExpressionValue.number)
    }

    private static func numericValues(_ names: Set<String>, _ twin: Twin) -> [String: Double] {
        var values: [String: Double] = [:]
        for name in names {
            if case .number(let value)? = lookup(name, twin) { values[name] = value }
        }
        return values
    }

    private static func kpi(_ metric: KPIMetric, of tally: ProductionTally) -> Double? {
        let oee = tally.oee
        switch metric {
        case .oee: return oee.value
        case .availability: return oee.availability
        case .performance: return oee.performance
        case .quality: return oee.quality
        }
    }

    private static func addSample(_ property: String, twin: Twin, window: Duration, memory: inout RuleMemory) {
        guard freshValue(property, in: twin) != nil, let reported = twin.reported[property] else { return }
        if memory.trend == nil { memory.trend = TrendSeries(window: window) }
        memory.trend!.add(reported.value, at: reported.sourceTime)
    }

    private static func timed(_ seconds: Double, _ levels: Levels, _ current: Severity?) -> Observation {
        var observation = Observation()
        observation.grade(seconds, by: levels, current: current)
        let threshold = observation.threshold
        observation.texts = {
            ["duration": HumanDuration.text(seconds: seconds), "limit": threshold.map { HumanDuration.text(seconds: $0) }].compactMapValues { $0 }
        }
        return observation
    }

    // MARK: Formatting

    /// A property's name, unit and decimals, to format its figures with.
    struct Quantity {
        var property: String
        var unit: String
        var decimals: Int

        init(_ property: String, of twin: Twin) {
            let spec = twin.kind?.property(named: property)
            self.property = property
            unit = spec?.unit ?? ""
            decimals = spec?.decimals ?? 2
        }

        /// A value with the property's decimals (plus `extraDecimals`).
        func format(_ value: Double, extraDecimals: Int = 0) -> String {
            number(value, decimals: decimals + extraDecimals)
        }

        /// `property`, `value` and `unit`, with `others` (those that are `nil` left out).
        func texts(value: Double, _ others: [String: String?]) -> [String: String] {
            var texts = others.compactMapValues { $0 }
            texts["property"] = property
            texts["value"] = format(value)
            texts["unit"] = unit
            return texts
        }
    }

    static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "?" }
        let scale = pow(10, Double(min(max(decimals, 0), 9)))
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
        var text = String(format: "%.\(min(max(decimals, 0), 9))f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func percent(_ fraction: Double) -> String { "\(number(fraction * 100, decimals: 1)) %" }
}
