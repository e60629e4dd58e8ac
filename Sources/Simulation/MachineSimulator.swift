import Foundation
import TwinModel

/// One simulated machine, advanced in simulated time. Pure and deterministic: the same instance,
/// scenario and seed give the same events, however the time is chunked into `advance` calls.
public struct MachineSimulator: Sendable {
    public let instance: MachineInstance
    let plan: ProductionPlan
    let program: SignalProgram
    var rng: RandomSource

    /// Simulated seconds since the scenario start.
    public private(set) var time: Double = 0
    /// Samples taken; `time` is computed from it so rounding does not accumulate.
    var steps = 0
    public private(set) var state: MachineState
    public private(set) var stateReason = "start"
    var stateSince: Double = 0
    var mode: Mode = .automatic
    /// True values per property (what the machine does), in kind order.
    public private(set) var values: [Double]
    var levels: [Double]
    var walks: [Double]
    var wears: [Double]
    var replayPositions: [Int]
    /// Reported values frozen by a stuck sensor.
    var stuckValues: [Int: Double] = [:]
    public private(set) var activeFaults: [ActiveFault] = []
    /// The fault that tripped the machine, until it is cleared: a power cycle does not clear it.
    var trippedBy: String?
    var pendingFaults: [ScheduledFault]
    public private(set) var counters = (total: 0, good: 0, scrap: 0)
    var cycleProgress = 0.0
    var cycleLength: Double
    public private(set) var speedFactor = 1.0
    var microstopUntil: Double?
    var sequences = (telemetry: UInt64(0), state: UInt64(0), counters: UInt64(0))
    var events: [SimulationEvent] = []

    /// Who decides the state: the shift plan, or a trainer's last command.
    enum Mode: Equatable {
        case automatic
        case forcedRun
        case forcedStop
        case forcedHold
    }

    /// A fault in effect.
    public struct ActiveFault: Sendable, Equatable {
        public var name: String
        public var since: Double
        /// Simulated second at which it clears by itself; `nil` until cleared.
        public var until: Double?
        var spec: SimulatedFaultBox

        public static func == (lhs: ActiveFault, rhs: ActiveFault) -> Bool {
            lhs.name == rhs.name && lhs.since == rhs.since && lhs.until == rhs.until
        }
    }

    public init(instance: MachineInstance, scenario: Scenario) {
        var programs = SignalProgramCache()
        self.init(instance: instance, scenario: scenario, programs: &programs)
    }

    /// Simulators of `machines`, sharing one signal program between the machines of a kind.
    public static func fleet(_ machines: some Sequence<MachineInstance>, scenario: Scenario) -> [MachineSimulator] {
        var programs = SignalProgramCache()
        return machines.map { MachineSimulator(instance: $0, scenario: scenario, programs: &programs) }
    }

    /// A machine whose signal program comes from `programs`, shared there with the other machines of its kind.
    init(instance: MachineInstance, scenario: Scenario, programs: inout SignalProgramCache) {
        self.instance = instance
        plan = ProductionPlan(scenario: scenario)
        let kind = instance.kind
        let program = programs.program(for: kind, interval: max(kind.interface.sampleInterval.secondsValue, 0.01))
        self.program = program
        // The enterprise is part of the stream name, as it always was: the same seed gives the same data.
        rng = RandomSource(seed: scenario.seed, stream: "\(scenario.enterprise)/\(instance.path)")
        state = kind.interface.states.initial
        levels = program.signals.map { $0.targetRow >= 0 ? program.target(of: $0, in: kind.interface.states.initial) : $0.constant }
        walks = Array(repeating: 0, count: kind.interface.properties.count)
        wears = program.signals.map(\.wearInitial)
        values = levels
        replayPositions = Array(repeating: 0, count: kind.interface.properties.count)
        pendingFaults = instance.scheduledFaults.sorted { $0.at < $1.at }
        cycleLength = kind.interface.production.idealCycleTime.secondsValue
        cycleLength = nextCycleLength()
    }

    /// Simulated seconds between samples.
    var interval: Double { program.interval }

    /// The absolute simulated time now.
    public var date: Date { plan.start.addingTimeInterval(time) }

    /// Advances to `target` simulated seconds since the start, sample by sample, returning what happened.
    /// Events caused by commands since the last call come first.
    public mutating func advance(to target: Double) -> [SimulationEvent] {
        while Double(steps + 1) * interval <= target + 1e-9 {
            steps += 1
            time = Double(steps) * interval
            step(dt: interval)
        }
        let happened = events
        events.removeAll(keepingCapacity: true)
        return happened
    }

    // MARK: Commands

    /// Applies a trainer's command; the effect shows in the events of the next `advance`.
    /// - Returns: why the machine refused it, or `nil` if it accepted.
    public mutating func handle(_ request: MachineCommandRequest) -> CommandRejection? {
        guard instance.kind.interface.commands.contains(request.command) else {
            return CommandRejection("\(instance.kind.id) does not accept '\(request.command.rawValue)'")
        }
        switch request.command {
        case .start:
            guard state != .fault else { return CommandRejection("the machine is in fault: reset it first") }
            guard state != .offline else { return CommandRejection("the machine has no power") }
            guard state == .running || enter(.running, reason: "command start") else {
                return CommandRejection("\(instance.kind.id) cannot go from \(state) to running")
            }
            mode = .forcedRun
        case .stop:
            guard state != .offline else { return CommandRejection("the machine has no power") }
            guard state != .fault else { mode = .forcedStop; return nil }
            guard state == .stopped || enter(.stopped, reason: "command stop") else {
                return CommandRejection("\(instance.kind.id) cannot go from \(state) to stopped")
            }
            mode = .forcedStop
        case .hold:
            guard state == .running || state == .starved else { return CommandRejection("only a running machine can be held (it is \(state))") }
            guard enter(.held, reason: "command hold") else {
                return CommandRejection("\(instance.kind.id) cannot go from \(state) to held")
            }
            mode = .forcedHold
        case .reset:
            guard [.fault, .stopped, .held, .starved].contains(state) else {
                return CommandRejection("nothing to reset: the machine is \(state)")
            }
            if state == .fault, let tripped = trippedBy {
                return CommandRejection("clear the fault (\(tripped)) before resetting")
            }
            guard enter(.idle, reason: "command reset", force: true) else { return CommandRejection("cannot reset from \(state)") }
            mode = .automatic
        case .injectFault:
            guard let name = request.fault, let spec = instance.kind.profile.fault(named: name) else {
                let known = instance.kind.profile.faults.map(\.name).joined(separator: ", ")
                return CommandRejection("unknown fault '\(request.fault ?? "")'; \(instance.kind.id) has: \(known)")
            }
            inject(spec, duration: request.duration ?? spec.duration, reason: "command")
        case .clearFault:
            if let name = request.fault {
                guard activeFaults.contains(where: { $0.name == name }) else {
                    return CommandRejection("fault '\(name)' is not active")
                }
                clear(name)
            } else {
                for fault in activeFaults { clear(fault.name) }
            }
        case .setSpeed:
            guard let value = request.value, (0.1...1.5).contains(value) else {
                return CommandRejection("set_speed needs a value from 0.1 to 1.5")
            }
            speedFactor = value
        }
        return nil
    }

    // MARK: One sample

    private mutating func step(dt: Double) {
        applyFaultSchedule()
        applyRandomFailures(dt: dt)
        applyPlan()
        computeSignals(dt: dt)
        applyTrips()
        produce(dt: dt)
        if state != .offline {
            emitTelemetry()
        }
    }

    private mutating func applyFaultSchedule() {
        while let next = pendingFaults.first, next.at.secondsValue <= time + 1e-9 {
            pendingFaults.removeFirst()
            if let spec = instance.kind.profile.fault(named: next.fault) {
                inject(spec, duration: next.duration ?? spec.duration, reason: "scheduled")
            }
        }
        for fault in activeFaults where fault.until.map({ $0 <= time + 1e-9 }) == true {
            clear(fault.name)
        }
    }

    private mutating func applyRandomFailures(dt: Double) {
        guard instance.randomFaults, let reliability = instance.kind.profile.reliability, state.isOperating,
              !reliability.faults.isEmpty else { return }
        if rng.uniform() < dt / reliability.mtbf.secondsValue {
            let name = reliability.faults[Int(rng.next() % UInt64(reliability.faults.count))]
            if let spec = instance.kind.profile.fault(named: name), !activeFaults.contains(where: { $0.name == name }) {
                let repair = rng.exponential(mean: reliability.mttr.secondsValue)
                inject(spec, duration: .seconds(repair), reason: "random failure")
            }
        }
    }

    /// Follows the shift plan (or the trainer's command), through the kind's allowed transitions.
    private mutating func applyPlan() {
        if activeFaults.contains(where: { if case .powerLoss = $0.spec.value.effect { true } else { false } }) {
            enter(.offline, reason: "power loss", force: true)
            return
        }
        if state == .offline {
            restorePower()
        }
        if state == .fault || state == .maintenance { return }
        switch mode {
        case .forcedStop:
            if state != .stopped { enter(.stopped, reason: "command stop") }
            return
        case .forcedHold:
            return
        case .forcedRun:
            if state != .running { enter(.running, reason: "command start") }
            return
        case .automatic:
            break
        }
        let secondsOfDay = plan.secondsOfDay(at: time)
        guard let shift = plan.shift(at: secondsOfDay) else {
            if state != .idle { enter(.idle, reason: "no shift") }
            return
        }
        if let downtime = plan.downtime(at: secondsOfDay) {
            if state != .idle { enter(.idle, reason: "planned \(downtime.name)") }
            return
        }
        if let until = microstopUntil {
            if time >= until {
                microstopUntil = nil
                enter(.running, reason: "microstop over")
            }
            return
        }
        switch state {
        case .idle, .stopped, .held, .starved:
            if plan.setupTime > 0 && state != .held && state != .starved {
                enter(.setup, reason: "shift \(shift.name)")
            } else {
                enter(.running, reason: "shift \(shift.name)")
            }
        case .setup:
            if time - stateSince >= plan.setupTime { enter(.running, reason: "setup done") }
        case .running:
            if let stops = plan.microstops, rng.uniform() < stops.perHour * interval / 3600 {
                microstopUntil = time + stops.duration.secondsValue
                enter(rng.uniform() < 0.7 ? .starved : .held, reason: "microstop")
            }
        case .fault, .maintenance, .offline:
            break
        }
    }

    private mutating func computeSignals(dt: Double) {
        let program = program
        assert(dt == program.interval, "lag factors are worked out for the sample interval")
        let operating = state.isOperating
        let faulty = !activeFaults.isEmpty
        for index in program.order {
            let signal = program.signals[index]
            var value: Double
            if let replay = signal.replay {
                value = replay[replayPositions[index] % replay.count]
                replayPositions[index] += 1
                if state == .offline || !operating && state != .idle { value = 0 }
            } else {
                let name = faulty ? program.names[index] : ""
                let cut = faulty && faultCuts(name)
                var level = signal.constant
                if signal.targetRow >= 0 {
                    var goal = program.target(of: signal, in: state)
                    for term in program.terms[signal.follow] { goal += term.coefficient * values[term.index] }
                    goal += faulty ? faultRise(on: name) : 0
                    if cut { goal = 0 }
                    if let factor = signal.lagFactor {
                        levels[index] = SignalMath.lag(level: levels[index], target: goal, factor: factor)
                        if abs(levels[index] - goal) < signal.snap { levels[index] = goal }
                    } else {
                        levels[index] = goal
                    }
                    level = levels[index]
                }
                value = level
                for term in program.terms[signal.couple] { value += term.coefficient * values[term.index] }
                if let perHour = signal.wearPerHour {
                    if operating {
                        wears[index] = SignalMath.wear(level: wears[index], perHour: perHour,
                                                       acceleration: faulty ? wearAcceleration(on: name) : 1, operatingSeconds: dt)
                    }
                    value += wears[index]
                }
                let live = operating && !cut
                if live, let walk = signal.walk {
                    walks[index] = SignalMath.walk(position: walks[index], step: walk.step, range: walk.range, uniform: rng.uniform())
                    value += walks[index]
                }
                if live, let sine = signal.sine {
                    value += SignalMath.sine(t: time, amplitude: sine.amplitude, period: sine.period, phase: sine.phase)
                }
                if live, let noise = signal.noise, noise > 0 {
                    value += noise * rng.gaussian()
                }
                if let daily = signal.daily {
                    value += SignalMath.daily(secondsOfDay: Double(plan.secondsOfDay(at: time)), amplitude: daily.amplitude, peakHour: daily.peakHour)
                }
            }
            if !operating, let rest = signal.rest { value = rest }
            values[index] = min(max(value, signal.lowerLimit), signal.upperLimit)
        }
    }

    /// Overheating and bearing failure trip the machine to `fault`.
    private mutating func applyTrips() {
        for fault in activeFaults where state != .fault && state != .offline {
            switch fault.spec.value.effect {
            case .overheating(let property, _, _, let tripsAt?):
                if values[propertyIndex(property)] >= tripsAt {
                    trippedBy = fault.name
                    enter(.fault, reason: "fault \(fault.name): \(property) reached \(tripsAt)", force: true)
                }
            case .bearingWear(let property, _, let failsAt):
                if wears[propertyIndex(property)] >= failsAt {
                    trippedBy = fault.name
                    enter(.fault, reason: "fault \(fault.name): failed at \(failsAt) \(instance.kind.interface.property(named: property)?.unit ?? "")", force: true)
                }
            default:
                break
            }
        }
    }

    private mutating func produce(dt: Double) {
        guard state == .running else { return }
        cycleProgress += dt * speedFactor
        guard cycleProgress >= cycleLength else { return }
        let production = instance.kind.interface.production
        var cycles = 0
        while cycleProgress >= cycleLength {
            cycleProgress -= cycleLength
            cycleLength = nextCycleLength()
            cycles += 1
        }
        let scrapRate = activeFaults.compactMap { fault -> Double? in
            if case .toolBreakage(let rate) = fault.spec.value.effect { return rate }
            return nil
        }.max() ?? instance.kind.profile.production.scrapRate
        for _ in 0..<(production.partsPerCycle * cycles) {
            counters.total += 1
            if rng.uniform() < scrapRate { counters.scrap += 1 } else { counters.good += 1 }
        }
        sequences.counters += 1
        events.append(.counters(ProductionCounters(
            time: date, sequence: sequences.counters, total: counters.total, good: counters.good,
            scrap: counters.scrap, idealCycleTime: production.idealCycleTime / production.partsPerCycle)))
    }

    private mutating func emitTelemetry() {
        let program = program
        var readings: [TelemetrySample.Reading] = []
        readings.reserveCapacity(values.count)
        for index in values.indices {
            var reported = values[index]
            var dropped = false
            for fault in activeFaults where fault.spec.value.effect.property == program.names[index] {
                switch fault.spec.value.effect {
                case .sensorStuck:
                    if stuckValues[index] == nil { stuckValues[index] = reported }
                    reported = stuckValues[index]!
                case .sensorDrift(_, let perHour):
                    reported += perHour * (time - fault.since) / 3600
                case .sensorDropout:
                    dropped = true
                case .sensorSpikes(_, let magnitude, let probability):
                    if rng.uniform() < probability { reported += magnitude * (rng.uniform() < 0.5 ? -1 : 1) }
                default:
                    break
                }
            }
            if !dropped {
                let scale = program.signals[index].scale
                readings.append(.init(property: program.names[index], value: SignalMath.rounded(reported, scale: scale), unit: program.units[index]))
            }
        }
        sequences.telemetry += 1
        events.append(.telemetry(TelemetrySample(time: date, sequence: sequences.telemetry, values: readings)))
    }

    // MARK: State and faults

    /// Enters `next` if the kind allows the transition (fault and offline always can); returns whether it did.
    @discardableResult
    private mutating func enter(_ next: MachineState, reason: String, force: Bool = false) -> Bool {
        guard next != state else { return true }
        guard force || instance.kind.interface.states.allows(state, next) || next == .fault || next == .offline else { return false }
        let previous = state
        state = next
        stateSince = time
        stateReason = reason
        if next != .starved && next != .held { microstopUntil = nil }
        sequences.state += 1
        events.append(.state(StateChange(time: date, sequence: sequences.state, state: next, previous: previous, reason: reason)))
        return true
    }

    /// Whether a network or power loss is in effect.
    private var networkDown: Bool {
        activeFaults.contains { fault in
            switch fault.spec.value.effect {
            case .networkLoss, .powerLoss: true
            default: false
            }
        }
    }

    private mutating func inject(_ spec: SimulatedFault, duration: Duration?, reason: String) {
        let wasDown = networkDown
        activeFaults.removeAll { $0.name == spec.name }
        activeFaults.append(ActiveFault(name: spec.name, since: time, until: duration.map { time + $0.secondsValue }, spec: SimulatedFaultBox(spec)))
        if case .powerLoss = spec.effect {
            enter(.offline, reason: "fault \(spec.name)", force: true)
        }
        if networkDown && !wasDown {
            events.append(.network(up: false, reason: "fault \(spec.name) (\(reason))"))
        }
    }

    /// Power is back: the machine starts idle, or in fault if a trip is still latched.
    private mutating func restorePower() {
        if let tripped = trippedBy {
            enter(.fault, reason: "power restored; fault \(tripped) still latched", force: true)
        } else {
            enter(.idle, reason: "power restored", force: true)
        }
    }

    private mutating func clear(_ name: String) {
        guard let index = activeFaults.firstIndex(where: { $0.name == name }) else { return }
        let wasDown = networkDown
        let fault = activeFaults.remove(at: index)
        if trippedBy == name { trippedBy = nil }
        if !networkDown && wasDown {
            events.append(.network(up: true, reason: "fault \(name) cleared"))
        }
        switch fault.spec.value.effect {
        case .powerLoss:
            if !activeFaults.contains(where: { if case .powerLoss = $0.spec.value.effect { true } else { false } }) {
                restorePower()
            }
        case .bearingWear(let property, _, _):
            let propertyIndex = propertyIndex(property)
            wears[propertyIndex] = program.signals[propertyIndex].wearNew
        case .sensorStuck(let property):
            stuckValues[propertyIndex(property)] = nil
        default:
            break
        }
        if state == .fault && trippedBy == nil {
            enter(.stopped, reason: "fault \(name) cleared", force: true)
            if mode == .forcedRun || mode == .forcedHold { mode = .automatic }
        }
    }

    private func faultRise(on property: String) -> Double {
        activeFaults.reduce(0) { total, fault in
            if case .overheating(property, let rise, _, _) = fault.spec.value.effect { return total + rise }
            return total
        }
    }

    private func faultCuts(_ property: String) -> Bool {
        activeFaults.contains { fault in
            if case .overheating(_, _, property?, _) = fault.spec.value.effect { return true }
            return false
        }
    }

    private func wearAcceleration(on property: String) -> Double {
        activeFaults.reduce(1) { factor, fault in
            if case .bearingWear(property, let acceleration, _) = fault.spec.value.effect { return factor * acceleration }
            return factor
        }
    }

    private func propertyIndex(_ name: String) -> Int {
        program.names.firstIndex(of: name)!
    }

    private mutating func nextCycleLength() -> Double {
        let kind = instance.kind
        return kind.interface.production.idealCycleTime.secondsValue * (1 + kind.profile.production.cycleVariation * rng.uniform())
    }
}

/// Holds a ``SimulatedFault`` in an `Equatable` fault record (faults compare by name and timing).
struct SimulatedFaultBox: Sendable {
    let value: SimulatedFault
    init(_ value: SimulatedFault) { self.value = value }
}
