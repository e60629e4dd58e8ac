import Foundation

/// A property's recent values in fixed time buckets, for trends over windows longer than the twin's
/// history: memory is bounded by the bucket count, whatever the sample rate. The trend is a weighted
/// least-squares line through the bucket means.
struct TrendSeries: Sendable, Codable, Equatable {
    /// Buckets per window.
    static let buckets = 30

    struct Bucket: Sendable, Codable, Equatable {
        /// Bucket number: seconds since the epoch divided by the bucket width.
        var index: Int64
        var count: Int
        var sumTime: Double
        var sumValue: Double
    }

    /// A fitted line at the time it was fitted for: its slope (per second) and its value then.
    struct Fit: Sendable, Equatable {
        var slope: Double
        var level: Double
    }

    let window: Double
    let width: Double
    private(set) var data: [Bucket] = []
    private(set) var lastTime: Date?

    init(window: Duration) {
        self.window = window.secondsValue
        width = max(self.window / Double(Self.buckets), 0.001)
    }

    /// Adds a sample; one not newer than the last is ignored (a repeat of the same reading). A clock that
    /// went back by more than the window (a simulation started again) starts the series afresh.
    mutating func add(_ value: Double, at time: Date) {
        if let lastTime, time.timeIntervalSince(lastTime) < -window { data.removeAll() ; self.lastTime = nil }
        guard value.isFinite, lastTime.map({ time > $0 }) ?? true else { return }
        lastTime = time
        let seconds = time.timeIntervalSince1970
        let index = Int64((seconds / width).rounded(.down))
        if let last = data.last, last.index == index {
            data[data.count - 1].count += 1
            data[data.count - 1].sumTime += seconds - Double(index) * width
            data[data.count - 1].sumValue += value
        } else {
            data.append(Bucket(index: index, count: 1, sumTime: seconds - Double(index) * width, sumValue: value))
        }
        let oldest = index - Int64(Self.buckets)
        if let first = data.firstIndex(where: { $0.index > oldest }), first > 0 { data.removeFirst(first) }
    }

    /// The trend at `now` over the buckets still in the window, or `nil` with fewer than three buckets or
    /// a span under `minimumSpan` seconds.
    func fit(now: Date, minimumSpan: Double) -> Fit? {
        let start = now.timeIntervalSince1970 - window
        let points = data.compactMap { bucket -> (t: Double, v: Double, w: Double)? in
            let t = Double(bucket.index) * width + bucket.sumTime / Double(bucket.count)
            guard t >= start else { return nil }
            return (t - start, bucket.sumValue / Double(bucket.count), Double(bucket.count))
        }
        guard points.count >= 3, let first = points.first, let last = points.last, last.t - first.t >= minimumSpan else { return nil }
        let weight = points.reduce(0) { $0 + $1.w }
        let meanT = points.reduce(0) { $0 + $1.t * $1.w } / weight
        let meanV = points.reduce(0) { $0 + $1.v * $1.w } / weight
        var sxx = 0.0, sxy = 0.0
        for point in points {
            sxx += point.w * (point.t - meanT) * (point.t - meanT)
            sxy += point.w * (point.t - meanT) * (point.v - meanV)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let nowT = now.timeIntervalSince1970 - start
        let level = meanV + slope * (nowT - meanT)
        guard slope.isFinite, level.isFinite else { return nil }
        return Fit(slope: slope, level: level)
    }
}
