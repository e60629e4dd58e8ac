import Foundation
import TwinModel

/// A kind's signals made ready to run every sample: other properties by index rather than by name, per-state targets
/// in a table rather than a dictionary, durations in seconds and the factors that depend only on the sample interval
/// worked out once. What it computes is exactly what ``SignalSpec`` says; only the lookups are done ahead.
///
/// One program serves every machine of a kind that shares the kind's properties and signals, unchanged by overrides, and
/// its sample interval (see ``SignalProgramCache``): a fleet of thousands of machines of a few kinds holds a few programs.
final class SignalProgram: Sendable {
    /// One property's signal. Plain values but `replay`, so that reading one in the sample loop copies next to nothing.
    struct Signal: Sendable {
        var lowerLimit: Double
        var upperLimit: Double
        /// Start of this signal's row in ``targets``, or -1 without a per-state target.
        var targetRow: Int
        var constant: Double
        var follow: Range<Int>
        var couple: Range<Int>
        /// `exp(-interval / tau)` of its lag; `nil` without a lag or with a lag of zero (the level jumps).
        var lagFactor: Double?
        /// How close to its target the lagged level snaps onto it.
        var snap: Double
        var wearPerHour: Double?
        var wearInitial: Double
        /// A replaced part's wear.
        var wearNew: Double
        /// The value outside the operating states, if the signal has one.
        var rest: Double?
        var walk: SignalSpec.Walk?
        var sine: (amplitude: Double, period: Double, phase: Double)?
        var noise: Double?
        var daily: SignalSpec.Daily?
        var replay: [Double]?
        /// `10^decimals`, for the published value.
        var scale: Double
    }

    /// Another property's value times a coefficient.
    struct Term: Sendable {
        var index: Int
        var coefficient: Double
    }

    let signals: [Signal]
    /// The `follow` and `couple` terms of every signal, each signal's in a range of its own.
    let terms: [Term]
    /// Per-state targets: one row of ``MachineState/allCases`` per signal with a target.
    let targets: [Double]
    /// Property names and units, in kind order, for the samples.
    let names: [String]
    let units: [String]
    /// The properties in dependency order: a property comes after those it follows or couples to.
    let order: [Int]
    /// The kind's properties, their signals and the sample interval this was made from; ``SignalProgramCache`` compares
    /// machines by them.
    let properties: [PropertySpec]
    let propertySignals: [PropertySignal]
    let interval: Double

    init(kind: MachineKind, interval: Double) {
        let properties = kind.interface.properties
        let propertySignals = kind.profile.signals
        self.properties = properties
        self.propertySignals = propertySignals
        self.interval = interval
        units = properties.map(\.unit)
        let names = properties.map(\.name)
        self.names = names
        order = (DependencyOrder.order(propertySignals) ?? names).compactMap { names.firstIndex(of: $0) }
        var terms: [Term] = [], targets: [Double] = []
        func resolve(_ list: [SignalSpec.Term]) -> Range<Int> {
            let start = terms.count
            // The loader has checked that every term names a property of the kind.
            terms += list.map { term in Term(index: names.firstIndex(of: term.property)!, coefficient: term.coefficient) }
            return start..<terms.count
        }
        signals = zip(properties, propertySignals).map { property, propertySignal in
            let spec = propertySignal.signal
            var targetRow = -1
            if let target = spec.target {
                targetRow = targets.count
                targets += MachineState.allCases.map { target.value(in: $0) }
            }
            return Signal(
                lowerLimit: property.limits.lowerBound, upperLimit: property.limits.upperBound, targetRow: targetRow,
                constant: spec.constant ?? 0, follow: resolve(spec.follow), couple: resolve(spec.couple),
                lagFactor: spec.lag.flatMap { lag in lag.secondsValue > 0 ? SignalMath.lagFactor(dt: interval, tau: lag.secondsValue) : nil },
                snap: max(1e-9, (property.normal.upperBound - property.normal.lowerBound) * 1e-4),
                wearPerHour: spec.wear?.perHour, wearInitial: spec.wear?.initial ?? 0, wearNew: spec.wear?.new ?? 0, rest: spec.rest, walk: spec.walk,
                sine: spec.sine.map { ($0.amplitude, $0.period.secondsValue, $0.phase) }, noise: spec.noise, daily: spec.daily,
                replay: spec.replay?.values, scale: SignalMath.roundingScale(decimals: property.decimals))
        }
        self.terms = terms
        self.targets = targets
    }

    /// A signal's target in `state`.
    func target(of signal: Signal, in state: MachineState) -> Double {
        targets[signal.targetRow + state.index]
    }
}

/// The signal programs of a fleet's machines, one per distinct set of kind properties, signals and sample interval.
///
/// Machines without overrides of their kind share its properties and signals arrays (copy-on-write values nobody
/// changed), so comparing the arrays' storage finds them without comparing specs; a machine with overrides has storage
/// of its own, and a program of its own. The cache holds every array it compares by, so no storage address is reused
/// while it lives.
struct SignalProgramCache {
    private var programs: [String: [SignalProgram]] = [:]

    mutating func program(for kind: MachineKind, interval: Double) -> SignalProgram {
        if let found = programs[kind.id]?.first(where: { program in
            program.interval == interval && Self.sameStorage(program.properties, kind.interface.properties)
                && Self.sameStorage(program.propertySignals, kind.profile.signals)
        }) {
            return found
        }
        let program = SignalProgram(kind: kind, interval: interval)
        programs[kind.id, default: []].append(program)
        return program
    }

    /// Whether both arrays are the same storage (and so the same elements).
    private static func sameStorage<Element>(_ one: [Element], _ other: [Element]) -> Bool {
        one.count == other.count
            && one.withUnsafeBufferPointer { $0.baseAddress } == other.withUnsafeBufferPointer { $0.baseAddress }
    }
}
