import Foundation

/// The last `capacity` samples of a property, oldest first, for trends and sparklines. A fixed ring in
/// compact storage (32-bit value and time offset): memory per twin stays bounded and small.
public struct SampleHistory: Sendable, Equatable, Codable {
    public let capacity: Int
    private var values: [Float] = []
    /// Seconds since `base`, which is the time of the first sample.
    private var offsets: [UInt32] = []
    private var base: Double?
    private var next = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    public var count: Int { values.count }

    public mutating func append(_ value: Double, at time: Date) {
        let seconds = time.timeIntervalSince1970
        if base == nil { base = seconds }
        let offset = UInt32(clamping: Int64(max(0, seconds - base!)))
        // Clamped to Float's finite range: an extreme reading must not become infinity and break storage.
        let stored = Float(min(max(value, -Double(Float.greatestFiniteMagnitude)), Double(Float.greatestFiniteMagnitude)))
        if values.count < capacity {
            values.append(stored)
            offsets.append(offset)
        } else {
            values[next] = stored
            offsets[next] = offset
            next = (next + 1) % capacity
        }
    }

    /// The same samples in a history of another capacity (the newest kept).
    public func resized(to newCapacity: Int) -> SampleHistory {
        guard newCapacity != capacity else { return self }
        var resized = SampleHistory(capacity: newCapacity)
        for sample in samples.suffix(max(newCapacity, 1)) { resized.append(sample.value, at: sample.time) }
        return resized
    }

    /// The samples, oldest first (times to the second).
    public var samples: [(time: Date, value: Double)] {
        guard let base else { return [] }
        let order = values.count < capacity ? Array(0..<values.count) : Array(next..<capacity) + Array(0..<next)
        return order.map { (Date(timeIntervalSince1970: base + Double(offsets[$0])), Double(values[$0])) }
    }
}
