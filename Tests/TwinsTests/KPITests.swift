import Foundation
import Testing
@testable import Twins
import TwinModel

/// 2026-03-02 at `time` (UTC), e.g. "06:30".
func at(_ time: String, day: Int = 2) -> Date {
    let parts = time.split(separator: ":").compactMap { Double($0) }
    let midnight = ISO8601Parsing.date(String(format: "2026-03-%02dT00:00:00Z", day))!
    return midnight.addingTimeInterval(parts[0] * 3600 + parts[1] * 60 + (parts.count > 2 ? parts[2] : 0))
}

func counters(_ time: String, total: Int, good: Int, cycle: Double = 30) -> ProductionCounters {
    ProductionCounters(time: at(time), sequence: 1, total: total, good: good, scrap: total - good, idealCycleTime: .seconds(cycle))
}

@Suite("KPI formulas")
struct KPIFormulaTests {
    @Test("OEE = availability × performance × quality, over planned production time")
    func oee() {
        var tally = ProductionTally()
        tally.add(seconds: 3000, in: .running)
        tally.add(seconds: 300, in: .setup)
        tally.add(seconds: 300, in: .starved)
        tally.add(seconds: 600, in: .idle)          // not planned: excluded
        tally.add(seconds: 900, in: .maintenance)   // planned maintenance: excluded
        tally.total = 100
        tally.good = 95
        tally.scrap = 5
        tally.idealSeconds = 100 * 25
        let oee = tally.oee
        #expect(oee.availability == 3000.0 / 3600)   // run ÷ (run + setup + starved)
        #expect(oee.performance == 2500.0 / 3000)    // ideal time of the parts ÷ run time
        #expect(oee.quality == 0.95)
        #expect(abs(oee.value! - 3000.0 / 3600 * 2500.0 / 3000 * 0.95) < 1e-12)
    }

    @Test("Edges: nothing planned, nothing made, faster than ideal")
    func edges() {
        var idle = ProductionTally()
        idle.add(seconds: 3600, in: .idle)
        #expect(idle.oee == OEE(availability: nil, performance: nil, quality: nil, value: nil))
        var stalled = ProductionTally()
        stalled.add(seconds: 600, in: .fault)
        #expect(stalled.oee.availability == 0)
        #expect(stalled.oee.value == nil, "no run time: performance and quality are undefined")
        var fast = ProductionTally()
        fast.add(seconds: 100, in: .running)
        fast.total = 10
        fast.good = 10
        fast.idealSeconds = 150
        #expect(fast.oee.performance == 1, "capped at 1 when faster than the ideal cycle")
    }

    @Test("MTBF = run time per failure, MTTR = fault time per repair")
    func reliability() {
        var tally = ProductionTally()
        #expect(tally.mtbf == nil && tally.mttr == nil)
        tally.add(seconds: 7200, in: .running)
        tally.add(seconds: 1200, in: .fault)
        tally.failures = 2
        tally.repairs = 2
        #expect(tally.mtbf == 3600)
        #expect(tally.mttr == 600)
    }

    @Test("Aggregates pool the machines: time-weighted availability and performance, quality weighted by ideal time")
    func aggregation() {
        var fast = ProductionTally(), slow = ProductionTally()
        fast.add(seconds: 3600, in: .running)
        fast.total = 100; fast.good = 100; fast.idealSeconds = 3600
        slow.add(seconds: 1800, in: .running)
        slow.add(seconds: 1800, in: .fault)
        slow.total = 10; slow.good = 5; slow.idealSeconds = 900
        var line = OEESum()
        line.add(fast)
        line.add(slow)
        #expect(line.oee.availability == 5400.0 / 7200)
        #expect(line.oee.performance == 4500.0 / 5400)
        let goodIdealSeconds: Double = 3600 + 900 * 0.5
        #expect(line.oee.quality == goodIdealSeconds / 4500, "each machine's good share of its ideal time")
    }
}

@Suite("Live KPIs of a machine, with a virtual clock")
struct KPITrackerTests {
    /// A 1 h window in 5 min buckets, the default three shifts.
    func tracker() -> KPITracker { KPITracker(configuration: .init(window: .seconds(3600), buckets: 12)) }

    @Test("Time in state, failures and repairs, over the shift and the rolling window")
    func shiftAndWindow() {
        var kpi = tracker()
        kpi.observe(state: .running, at: at("06:00"))
        kpi.observe(state: .starved, at: at("06:30"))
        kpi.observe(state: .running, at: at("06:40"))
        kpi.observe(state: .fault, at: at("07:00"))
        kpi.observe(state: .running, at: at("07:05"))
        kpi.advance(to: at("07:30"))

        // The shift started at 06:00: 75 min running, 10 starved, 5 in fault.
        #expect(kpi.shiftStart == at("06:00"))
        #expect(kpi.shift.seconds(in: .running) == 75 * 60)
        #expect(kpi.shift.seconds(in: .starved) == 600)
        #expect(kpi.shift.seconds(in: .fault) == 300)
        #expect(kpi.shift.oee.availability == 4500.0 / 5400)
        #expect(kpi.shift.failures == 1 && kpi.shift.repairs == 1)
        #expect(kpi.lifetime.mttr == 300)

        // At 07:30 the window is the current 5-min bucket (just begun) and the 11 before it: 06:35-07:30.
        let window = kpi.window
        #expect(window.seconds(in: .starved) == 300, "06:35-06:40")
        #expect(window.seconds(in: .running) == 2700, "06:40-07:00 and 07:05-07:30")
        #expect(window.seconds(in: .fault) == 300)
        #expect(window.oee.availability == 2700.0 / 3300)
    }

    @Test("Counters: the first are a baseline; deltas become parts, ideal time and scrap; a restart counts from zero")
    func production() {
        var kpi = tracker()
        kpi.observe(state: .running, at: at("06:00"))
        kpi.observe(counters: counters("06:30", total: 50, good: 48))  // made before we looked: a baseline
        #expect(kpi.shift.total == 0)
        kpi.observe(counters: counters("07:00", total: 100, good: 97))
        kpi.advance(to: at("07:00"))
        #expect(kpi.shift.total == 50 && kpi.shift.good == 49 && kpi.shift.scrap == 1)
        #expect(kpi.shift.oee.performance == 50.0 * 30 / 3600)   // 50 parts × 30 s ideal in 1 h of running
        #expect(kpi.shift.oee.quality == 0.98)
        kpi.observe(counters: counters("07:10", total: 4, good: 4))  // the machine restarted its counters
        #expect(kpi.shift.total == 54)
        kpi.observe(counters: counters("07:10", total: 4, good: 4))  // a repeat adds nothing
        #expect(kpi.shift.total == 54)
    }

    @Test("A jump of the machine's clock is not accounted as time; an impossible date is ignored")
    func clockJumps() {
        var kpi = tracker()
        kpi.observe(state: .running, at: at("06:00"))
        kpi.advance(to: at("07:00"))
        kpi.advance(to: at("07:00").addingTimeInterval(100 * 365 * 86_400))  // a century ahead
        #expect(kpi.lifetime.seconds(in: .running) == 3600)
        kpi.advance(to: Date(timeIntervalSince1970: .infinity))
        #expect(kpi.lifetime.seconds(in: .running) == 3600)
    }

    @Test("A new shift starts a new tally; the lifetime keeps everything")
    func shiftChange() {
        var kpi = tracker()
        kpi.observe(state: .running, at: at("13:00"))
        kpi.advance(to: at("14:30"))
        #expect(kpi.shiftStart == at("14:00"))
        #expect(kpi.shift.seconds(in: .running) == 1800, "only the late shift's half hour")
        #expect(kpi.lifetime.seconds(in: .running) == 5400)
        kpi.advance(to: at("23:00"))
        #expect(kpi.shiftStart == at("22:00"), "the night shift")
        kpi.advance(to: at("05:00", day: 3))
        #expect(kpi.shiftStart == at("22:00"), "still the night shift, which started the evening before")
    }

    @Test("A long gap empties the window; time never runs backwards")
    func gaps() {
        var kpi = tracker()
        kpi.observe(state: .running, at: at("06:00"))
        kpi.advance(to: at("06:30"))
        kpi.observe(state: .idle, at: at("06:30"))
        kpi.advance(to: at("09:00"))
        #expect(kpi.window.seconds(in: .running) == 0, "the running half hour left the window")
        #expect(kpi.window.seconds(in: .idle) == 3300, "08:05-09:00: the 09:00 bucket has just begun")
        kpi.advance(to: at("08:00"))
        kpi.observe(state: .running, at: at("08:00"))
        #expect(kpi.lifetime.seconds(in: .idle) == 9000, "an event older than the accounted time adds no time")
    }
}
