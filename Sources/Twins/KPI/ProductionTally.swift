import TwinModel

/// What a machine did over a stretch of time: seconds per state, parts, failures. Tallies add up, so a
/// window is a sum of buckets and a line is a sum of machines; KPIs are computed from the sum.
public struct ProductionTally: Sendable, Equatable, Codable, JSONStreamWritable {
    /// Seconds in each state, indexed by `MachineState.allCases` order; inline, so a tally is one value with no
    /// allocation of its own (a twin keeps three: its shift, its lifetime and the current bucket of its window).
    private var seconds = PerState<Double>(repeating: 0)
    public var total = 0
    public var good = 0
    public var scrap = 0
    /// Σ ideal cycle time of the parts made: what the run time would have been at ideal speed.
    public var idealSeconds = 0.0
    /// Times the machine entered `fault`.
    public var failures = 0
    /// Times the machine left `fault`.
    public var repairs = 0

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case seconds, total, good, scrap, idealSeconds, failures, repairs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stored = try container.decode([Double].self, forKey: .seconds)
        guard stored.count == seconds.count else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: container,
                                                   debugDescription: "\(stored.count) states, not \(seconds.count)")
        }
        for index in stored.indices { seconds[index] = stored[index] }
        total = try container.decode(Int.self, forKey: .total)
        good = try container.decode(Int.self, forKey: .good)
        scrap = try container.decode(Int.self, forKey: .scrap)
        idealSeconds = try container.decode(Double.self, forKey: .idealSeconds)
        failures = try container.decode(Int.self, forKey: .failures)
        repairs = try container.decode(Int.self, forKey: .repairs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seconds.indices.map { seconds[$0] }, forKey: .seconds)
        try container.encode(total, forKey: .total)
        try container.encode(good, forKey: .good)
        try container.encode(scrap, forKey: .scrap)
        try container.encode(idealSeconds, forKey: .idealSeconds)
        try container.encode(failures, forKey: .failures)
        try container.encode(repairs, forKey: .repairs)
    }

    public static func == (lhs: ProductionTally, rhs: ProductionTally) -> Bool {
        lhs.seconds.indices.allSatisfy { lhs.seconds[$0] == rhs.seconds[$0] } && lhs.total == rhs.total && lhs.good == rhs.good
            && lhs.scrap == rhs.scrap && lhs.idealSeconds == rhs.idealSeconds && lhs.failures == rhs.failures && lhs.repairs == rhs.repairs
    }

    /// The JSON of its synthesized `Encodable` conformance, written directly (a stored twin has fourteen: its window of twelve, shift and lifetime).
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        writer.key("seconds")
        writer.openArray()
        for index in seconds.indices { try writer.element(finite: seconds[index]) }
        writer.closeArray()
        writer.field("total", integer: total)
        writer.field("good", integer: good)
        writer.field("scrap", integer: scrap)
        writer.key("idealSeconds")
        try writer.element(finite: idealSeconds)
        writer.field("failures", integer: failures)
        writer.field("repairs", integer: repairs)
        writer.close()
    }

    public func seconds(in state: MachineState) -> Double { seconds[state.index] }

    /// One change a machine's KPIs record.
    enum Change {
        case seconds(Double, in: MachineState)
        case failure
        case repair
        case parts(made: Int, good: Int, scrap: Int, idealSeconds: Double)
    }

    mutating func apply(_ change: Change) {
        switch change {
        case .seconds(let elapsed, let state): add(seconds: elapsed, in: state)
        case .failure: failures += 1
        case .repair: repairs += 1
        case .parts(let made, let good, let scrap, let ideal):
            total += made
            self.good += good
            self.scrap += scrap
            idealSeconds += ideal
        }
    }

    public mutating func add(seconds: Double, in state: MachineState) {
        self.seconds[state.index] += seconds
    }

    /// Planned production time: the states in which the machine was meant to produce (running, set-up,
    /// held, starved, stopped, fault). Idle (no work scheduled), maintenance (planned) and offline (no
    /// data) are outside it.
    public var plannedSeconds: Double {
        [.running, .setup, .held, .starved, .stopped, .fault].reduce(0) { $0 + seconds(in: $1) }
    }

    public var runSeconds: Double { seconds(in: .running) }

    /// OEE and its factors; `nil` factors where their denominator is 0.
    public var oee: OEE {
        OEE(plannedSeconds: plannedSeconds, runSeconds: runSeconds, idealSeconds: idealSeconds,
            quality: total > 0 ? Double(good) / Double(total) : nil)
    }

    /// Mean time between failures: running time per failure; `nil` before the first failure.
    public var mtbf: Double? { failures > 0 ? runSeconds / Double(failures) : nil }

    /// Mean time to repair: time in fault per repair; `nil` before the first repair.
    public var mttr: Double? { repairs > 0 ? seconds(in: .fault) / Double(repairs) : nil }
}

/// Overall equipment effectiveness and its three factors, each 0…1.
public struct OEE: Sendable, Equatable {
    /// Run time ÷ planned production time.
    public var availability: Double?
    /// (Σ ideal cycle time × parts) ÷ run time, at most 1.
    public var performance: Double?
    /// Good parts ÷ all parts.
    public var quality: Double?
    /// availability × performance × quality.
    public var value: Double?
}

extension OEE {
    /// The factors from production times (availability run over planned time, performance ideal over run time, at most
    /// 1; `nil` where the denominator is 0) and their product (`nil` unless all three are known).
    init(plannedSeconds planned: Double, runSeconds run: Double, idealSeconds ideal: Double, quality: Double?) {
        availability = planned > 0 ? run / planned : nil
        performance = run > 0 ? min(ideal / run, 1) : nil
        self.quality = quality
        if let availability, let performance, let quality { value = availability * performance * quality }
    }
}

/// One value per machine state, inline, at ``MachineState/index``.
typealias PerState<Value> = InlineArray<9, Value>
