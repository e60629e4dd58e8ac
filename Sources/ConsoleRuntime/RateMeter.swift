import Foundation

/// Messages per second, measured over about a second.
struct RateMeter {
    private var last: (total: Int, time: Date)?

    /// The rate since the last sample, once a second has passed; `nil` before.
    mutating func sample(total: Int, at time: Date) -> Double? {
        guard let last else {
            self.last = (total, time)
            return nil
        }
        let elapsed = time.timeIntervalSince(last.time)
        guard elapsed >= 1 else { return nil }
        self.last = (total, time)
        return Double(total - last.total) / elapsed
    }
}
