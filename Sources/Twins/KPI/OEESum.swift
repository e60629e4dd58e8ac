/// The OEE of several machines over one window (a line, an area, a site), from each machine's tally of that window.
///
/// Each machine's figures are taken as its own OEE takes them (performance at most 1), then pooled: availability is
/// run time over planned time, performance ideal time over run time, and quality the good share of the ideal time,
/// so that the OEE they multiply to is good parts at ideal speed over planned time: the mean of the machines' OEEs
/// weighted by their planned time. A line of machines that all show 94 % shows 94 %, and a line never shows more
/// than its best machine or less than its worst. (Adding the machines' tallies first and taking the OEE of the sum
/// mixes one machine's quality with another's speed and lets a fast machine's surplus hide a slow one's loss.)
public struct OEESum: Sendable, Equatable {
    /// Σ planned production time.
    public private(set) var plannedSeconds = 0.0
    /// Σ run time.
    public private(set) var runSeconds = 0.0
    /// Σ ideal time of the parts made, each machine's at most its run time.
    private var idealSeconds = 0.0
    /// Σ ideal time of the machines that made parts, and its good share.
    private var countedIdealSeconds = 0.0
    private var goodIdealSeconds = 0.0
    private var total = 0
    private var good = 0

    public init() {}

    /// Adds one machine's tally of the window.
    public mutating func add(_ tally: ProductionTally) {
        let run = tally.runSeconds
        plannedSeconds += tally.plannedSeconds
        runSeconds += run
        let ideal = min(tally.idealSeconds, run)
        idealSeconds += ideal
        if tally.total > 0 {
            countedIdealSeconds += ideal
            goodIdealSeconds += ideal * Double(tally.good) / Double(tally.total)
        }
        total += tally.total
        good += tally.good
    }

    /// OEE and its factors; `nil` factors where their denominator is 0.
    public var oee: OEE {
        OEE(plannedSeconds: plannedSeconds, runSeconds: runSeconds, idealSeconds: idealSeconds,
            quality: countedIdealSeconds > 0 ? goodIdealSeconds / countedIdealSeconds : total > 0 ? Double(good) / Double(total) : nil)
    }
}
