/// How a property's value is generated: a sum of composable parts, evaluated every sample.
///
/// Order of evaluation: a level (`constant`, or `target` per state plus `follow` terms, approached with
/// a first-order `lag`), plus `couple` terms (other properties' current values), plus `wear` (grows over
/// operating hours), plus, in operating states only, `walk`, `sine` and `noise`; then `daily`; a
/// `replay` replaces all of it with recorded data. Outside the operating states a `rest` value replaces the sum. The
/// result is clamped to the property's limits.
public struct SignalSpec: Sendable {
    public var constant: Double?
    /// Per-state target the level moves toward.
    public var target: StateValues?
    /// Adds `coefficient × value` of other properties to the target (temperature follows load).
    public var follow: [Term]
    /// Time constant of the first-order lag toward the target; without it the level jumps.
    public var lag: Duration?
    /// Adds `coefficient × value` of other properties to the output (vibration from speed and wear).
    public var couple: [Term]
    /// Gaussian noise: standard deviation.
    public var noise: Double?
    public var walk: Walk?
    public var sine: Sine?
    public var daily: Daily?
    public var wear: Wear?
    public var replay: Replay?
    /// The value while the machine is not operating (a still spindle does not vibrate, however worn its bearing).
    public var rest: Double?

    public init() {
        follow = []
        couple = []
    }

    /// Properties this signal reads (for ordering and cycle detection).
    public var dependencies: [String] { (follow + couple).map(\.property) }

    public struct Term: Sendable, Hashable {
        public var property: String
        public var coefficient: Double
    }

    /// A value per state, with a default for the states not listed.
    public struct StateValues: Sendable {
        public var values: [MachineState: Double]
        public var fallback: Double
        public func value(in state: MachineState) -> Double { values[state] ?? fallback }
    }

    /// A bounded random walk: each sample moves by up to ±`step`, kept within `range`.
    public struct Walk: Sendable {
        public var step: Double
        public var range: ClosedRange<Double>
    }

    public struct Sine: Sendable {
        public var amplitude: Double
        public var period: Duration
        /// Fraction of a period, 0..<1.
        public var phase: Double
    }

    /// A daily cycle (ambient temperature, say): `amplitude` above the mean at `peakHour` (UTC).
    public struct Daily: Sendable {
        public var amplitude: Double
        public var peakHour: Double
    }

    /// Monotonic growth per operating hour (running or setup), from `initial`; a replaced part starts again at `new`.
    public struct Wear: Sendable {
        public var perHour: Double
        public var initial: Double
        /// A new part's wear, after a replacement (clearing a `bearing_wear` fault).
        public var new: Double
    }

    /// Values replayed from a CSV file: one column, one row per sample, looping at the end.
    public struct Replay: Sendable {
        public var values: [Double]
        public var path: String
        public var column: String
    }
}
