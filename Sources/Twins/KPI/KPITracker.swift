import Foundation
import TwinModel

/// The live KPIs of one machine: its current shift, a rolling window, and its lifetime.
///
/// Fed with state changes and counters in time order (their source timestamps), and advanced to "now" by
/// a clock the caller owns, so it is tested with a virtual clock. The rolling window is a ring of
/// buckets: memory per machine is fixed whatever the rate of events.
public struct KPITracker: Sendable {
    /// Window settings.
    public struct Configuration: Sendable {
        /// Length of the rolling window.
        public var window: Duration = .seconds(3600)
        /// Buckets in the window: the window moves in steps of `window / buckets`.
        public var buckets = 12
        /// Shifts (UTC); the shift tally restarts at each start. Empty: one shift per day from 00:00.
        public var shifts: [TimeWindow] = ShiftCalendar.defaultShifts

        public init(window: Duration = .seconds(3600), buckets: Int = 12, shifts: [TimeWindow] = ShiftCalendar.defaultShifts) {
            self.window = window
            self.buckets = buckets
            self.shifts = shifts
        }
    }

    /// What every tracker of one configuration shares, held once: a store's twins all point at one.
    public final class Frame: Sendable {
        public let configuration: Configuration
        let bucketSeconds: Double
        let calendar: ShiftCalendar
        let bucketCount: Int

        public init(_ configuration: Configuration) {
            self.configuration = configuration
            bucketCount = max(configuration.buckets, 1)
            bucketSeconds = max(configuration.window.secondsValue / Double(bucketCount), 1)
            calendar = ShiftCalendar(shifts: configuration.shifts)
        }
    }

    // Stored fields in an order that leaves little padding (a tracker per twin, a hundred thousand twins).
    private let frame: Frame
    /// The bucket time is being accounted in, at full precision. It joins the ring when the window moves on.
    private var current = ProductionTally()
    /// The window's closed buckets, in 32-bit fields (converted once, when they close); the current bucket's place
    /// holds zero. Empty while they would all be zero (a twin that has not yet closed a bucket, or whose clock
    /// jumped), which would otherwise be most of a fresh twin's memory.
    private var ring: [WindowBucket] = []
    /// Index of the bucket that `now` falls in, as a count of bucket lengths since the epoch.
    private var currentBucket: Int64 = 0
    public private(set) var shift = ProductionTally()
    public private(set) var lifetime = ProductionTally()
    public private(set) var shiftStart: Date?
    public private(set) var state: MachineState = .offline
    public private(set) var stateSince: Date?
    private var accountedUntil: Date?
    private var lastCounters: (total: Int, good: Int, scrap: Int)?

    public var configuration: Configuration { frame.configuration }
    private var bucketSeconds: Double { frame.bucketSeconds }
    private var calendar: ShiftCalendar { frame.calendar }
    private var bucketCount: Int { frame.bucketCount }

    public init(configuration: Configuration = .init()) {
        self.init(frame: Frame(configuration))
    }

    /// A tracker of a shared frame.
    public init(frame: Frame) {
        self.frame = frame
    }

    /// The machine entered `newState` at `time`. Events older than what is accounted are ignored.
    public mutating func observe(state newState: MachineState, at time: Date) {
        advance(to: time)
        guard newState != state else { return }
        if newState == .fault { record(.failure) }
        if state == .fault { record(.repair) }
        state = newState
        stateSince = time
    }

    /// New production counters (running totals since the machine started). The first ones seen are a
    /// baseline; a total lower than the last one means the machine's counters restarted, and the new
    /// totals count from zero.
    public mutating func observe(counters: ProductionCounters) {
        advance(to: counters.time)
        guard let last = lastCounters else {
            // The first counters seen are a baseline: what the machine made before is not this shift's.
            lastCounters = (counters.total, counters.good, counters.scrap)
            return
        }
        let previous = last.total <= counters.total ? last : (total: 0, good: 0, scrap: 0)
        let made = counters.total - previous.total
        let good = max(counters.good - previous.good, 0)
        let scrap = max(counters.scrap - previous.scrap, 0)
        lastCounters = (counters.total, counters.good, counters.scrap)
        guard made > 0 else { return }
        let ideal = Double(made) * counters.idealCycleTime.secondsValue
        record(.parts(made: made, good: good, scrap: scrap, idealSeconds: ideal))
    }

    /// Accounts the current state's time up to `now`, moving the window and restarting the shift as needed.
    /// A gap longer than this is a jump of the machine's clock, not time to account.
    static let longestGap: TimeInterval = 86_400

    public mutating func advance(to now: Date) {
        guard now.timeIntervalSince1970.isFinite else { return }
        guard let from = accountedUntil else {
            accountedUntil = now
            move(to: now)
            return
        }
        guard now > from else { return }
        if now.timeIntervalSince(from) > Self.longestGap {
            restartClock(at: now)
            return
        }
        var cursor = from
        while cursor < now {
            // Stop at the next bucket or shift boundary, whichever comes first.
            let bucketEnd = Date(timeIntervalSince1970: Double(currentBucket + 1) * bucketSeconds)
            let shiftEnd = calendar.nextBoundary(after: cursor)
            let end = min(now, bucketEnd, shiftEnd)
            let elapsed = end.timeIntervalSince(cursor)
            let current = state
            record(.seconds(elapsed, in: current))
            cursor = end
            move(to: cursor)
        }
        accountedUntil = now
    }

    /// The accumulators, to store and restore across restarts.
    public struct Saved: Sendable, Codable, Equatable {
        var ring: [ProductionTally]
        var currentBucket: Int64
        var shift: ProductionTally
        var shiftStart: Date?
        var lifetime: ProductionTally
        var state: MachineState
        var stateSince: Date?
        var accountedUntil: Date?
        var lastCounters: [Int]?
        /// The bucket length the ring was built with (absent in records of older versions).
        var bucketSeconds: Double?
    }

    public var saved: Saved {
        var tallies = ring.map(\.tally)
        if tallies.isEmpty && current != ProductionTally() { tallies = Array(repeating: ProductionTally(), count: bucketCount) }
        if !tallies.isEmpty { tallies[currentSlot] = current }
        return Saved(ring: tallies, currentBucket: currentBucket, shift: shift, shiftStart: shiftStart, lifetime: lifetime, state: state,
              stateSince: stateSince, accountedUntil: accountedUntil, lastCounters: lastCounters.map { [$0.total, $0.good, $0.scrap] },
              bucketSeconds: bucketSeconds)
    }

    /// A tracker carrying on from saved accumulators. A window of another shape starts empty.
    public init(configuration: Configuration, restoring saved: Saved) {
        self.init(frame: Frame(configuration), restoring: saved)
    }

    /// A tracker of a shared frame carrying on from saved accumulators.
    public init(frame: Frame, restoring saved: Saved) {
        self.init(frame: frame)
        if saved.ring.count == bucketCount || saved.ring.isEmpty, saved.bucketSeconds == bucketSeconds, saved.currentBucket >= 0 {
            currentBucket = saved.currentBucket
            if !saved.ring.isEmpty {
                current = saved.ring[currentSlot]
                if saved.ring.indices.contains(where: { $0 != currentSlot && saved.ring[$0] != ProductionTally() }) {
                    ring = saved.ring.map(WindowBucket.init)
                    ring[currentSlot] = WindowBucket()
                }
            }
        }
        shift = saved.shift
        shiftStart = saved.shiftStart
        lifetime = saved.lifetime
        state = saved.state
        stateSince = saved.stateSince
        accountedUntil = saved.accountedUntil
        if let counters = saved.lastCounters, counters.count == 3 { lastCounters = (counters[0], counters[1], counters[2]) }
    }

    /// The machine's clock jumped (a restarted simulation, a clock set forward): carry on from `time`
    /// without accounting the jump. The window starts empty; shift and lifetime keep what they had.
    public mutating func restartClock(at time: Date) {
        guard time.timeIntervalSince1970.isFinite else { return }
        ring = []
        current = ProductionTally()
        currentBucket = Int64((time.timeIntervalSince1970 / bucketSeconds).rounded(.down))
        accountedUntil = time
        let start = calendar.start(of: time)
        if start != shiftStart {
            shiftStart = start
            shift = ProductionTally()
        }
    }

    /// When the KPIs have been accounted to.
    public var accountedTime: Date? { accountedUntil }

    /// KPIs now: call ``advance(to:)`` first.
    public var window: ProductionTally {
        ring.reduce(into: current) { $1.add(to: &$0) }
    }

    private var currentSlot: Int { slot(currentBucket) }

    private func slot(_ bucket: Int64) -> Int { Int(bucket % Int64(bucketCount)) }

    private mutating func record(_ change: ProductionTally.Change) {
        current.apply(change)
        shift.apply(change)
        lifetime.apply(change)
    }

    /// Makes `time`'s bucket current (clearing the ones skipped) and restarts the shift tally at a new shift.
    private mutating func move(to time: Date) {
        let bucket = Int64((time.timeIntervalSince1970 / bucketSeconds).rounded(.down))
        if accountedUntil == nil || bucket - currentBucket >= Int64(bucketCount) {
            ring = []
            current = ProductionTally()
        } else if bucket > currentBucket {
            if current != ProductionTally() || !ring.isEmpty {
                if ring.isEmpty { ring = Array(repeating: WindowBucket(), count: bucketCount) }
                ring[currentSlot] = WindowBucket(current)
                for skipped in (currentBucket + 1)...bucket { ring[slot(skipped)] = WindowBucket() }
            }
            current = ProductionTally()
        }
        currentBucket = max(currentBucket, bucket)
        let start = calendar.start(of: time)
        if start != shiftStart {
            shiftStart = start
            shift = ProductionTally()
        }
    }
}

/// Which shift a moment belongs to, from daily windows (UTC).
public struct ShiftCalendar: Sendable {
    /// Three eight-hour shifts from 06:00, used when the service is not told the plant's shifts.
    public static let defaultShifts = [
        TimeWindow(name: "early", start: ClockTime(secondsOfDay: 6 * 3600), end: ClockTime(secondsOfDay: 14 * 3600)),
        TimeWindow(name: "late", start: ClockTime(secondsOfDay: 14 * 3600), end: ClockTime(secondsOfDay: 22 * 3600)),
        TimeWindow(name: "night", start: ClockTime(secondsOfDay: 22 * 3600), end: ClockTime(secondsOfDay: 6 * 3600)),
    ]

    let starts: [Int]

    public init(shifts: [TimeWindow]) {
        let starts = Set(shifts.map { $0.start.secondsOfDay % 86_400 } + shifts.map { $0.end.secondsOfDay % 86_400 })
        self.starts = starts.isEmpty ? [0] : starts.sorted()
    }

    /// The start of the shift (or gap between shifts) that `time` falls in.
    public func start(of time: Date) -> Date {
        let (day, second) = Self.split(time)
        if let start = starts.last(where: { Double($0) <= second }) { return Date(timeIntervalSince1970: day + Double(start)) }
        return Date(timeIntervalSince1970: day - 86_400 + Double(starts.last!))
    }

    /// The next shift boundary strictly after `time`.
    public func nextBoundary(after time: Date) -> Date {
        let (day, second) = Self.split(time)
        if let next = starts.first(where: { Double($0) > second }) { return Date(timeIntervalSince1970: day + Double(next)) }
        return Date(timeIntervalSince1970: day + 86_400 + Double(starts.first!))
    }

    private static func split(_ time: Date) -> (day: Double, second: Double) {
        let epoch = time.timeIntervalSince1970
        let day = (epoch / 86_400).rounded(.down) * 86_400
        return (day, epoch - day)
    }
}
