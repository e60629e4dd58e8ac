import TwinModel

/// A closed bucket of a KPI window: a ``ProductionTally`` in 32-bit fields, 60 bytes against 120. A twin keeps a
/// window of these (twelve by default), so their size is most of a running twin's KPI memory. Time is accounted in
/// the current bucket at full precision and converted once, when the bucket closes (a relative error of 6e-8).
struct WindowBucket: Sendable, Equatable {
    private var seconds = PerState<Float>(repeating: 0)
    private var total: Int32 = 0
    private var good: Int32 = 0
    private var scrap: Int32 = 0
    private var failures: Int32 = 0
    private var repairs: Int32 = 0
    private var idealSeconds: Float = 0

    init() {}

    /// The bucket of a tally: the current bucket as it closes, or a stored one (counts beyond 32 bits are clamped).
    init(_ tally: ProductionTally) {
        for state in MachineState.allCases { seconds[state.index] = Float(tally.seconds(in: state)) }
        total = Int32(clamping: tally.total)
        good = Int32(clamping: tally.good)
        scrap = Int32(clamping: tally.scrap)
        failures = Int32(clamping: tally.failures)
        repairs = Int32(clamping: tally.repairs)
        idealSeconds = Float(tally.idealSeconds)
    }

    /// The bucket as a tally, to sum a window or to store.
    var tally: ProductionTally {
        var tally = ProductionTally()
        add(to: &tally)
        return tally
    }

    func add(to tally: inout ProductionTally) {
        for state in MachineState.allCases { tally.add(seconds: Double(seconds[state.index]), in: state) }
        tally.total += Int(total)
        tally.good += Int(good)
        tally.scrap += Int(scrap)
        tally.failures += Int(failures)
        tally.repairs += Int(repairs)
        tally.idealSeconds += Double(idealSeconds)
    }

    static func == (lhs: WindowBucket, rhs: WindowBucket) -> Bool {
        lhs.tally == rhs.tally
    }
}
