import Foundation

/// The last `capacity` samples of each of a twin's properties, in one buffer: a segment per property, each a ring
/// once full. A twin keeps one table rather than an array per property, whose headers and allocations cost more than
/// the samples of a young twin.
///
/// Segments grow together by doubling up to the capacity (properties of a machine mostly arrive in the same
/// messages), so the buffer is rebuilt a few times in a twin's life and never holds more than `capacity` samples a
/// property. Samples are compact: a 32-bit value and a whole-second offset from the table's base, a whole second at or
/// before its oldest sample: times are kept to the second.
struct HistoryTable: Sendable {
    /// A value and its time, as whole seconds after ``base``.
    struct Sample: Sendable, Equatable {
        var value: Float
        var offset: UInt32
    }

    /// How full a property's segment is, and where its next sample goes once it is full.
    private struct Fill: Sendable {
        var count: UInt32 = 0
        var next: UInt32 = 0
    }

    private let storedCapacity: UInt32
    /// Slots per property in ``samples``: property `p`'s segment starts at `p × stride`.
    private var stride: UInt32 = 1
    /// Seconds since 1970 that offsets count from: the first sample's second, moved back for an older sample
    /// (meaningless while the table has none).
    private(set) var base = 0.0
    private var hasBase = false
    private var fills: [Fill] = []
    private var samples: [Sample] = []

    init(capacity: Int) {
        storedCapacity = UInt32(clamping: max(capacity, 1))
    }

    var capacity: Int { Int(storedCapacity) }
    var propertyCount: Int { fills.count }
    /// Sample slots allocated (for tests of the buffer's size).
    var allocatedSlots: Int { samples.capacity }

    /// Makes room for `count` properties at once (a twin of a known kind), rather than growing by doubling.
    mutating func reserve(properties count: Int) {
        fills.reserveCapacity(count)
        samples.reserveCapacity(count * Int(stride))
    }

    /// Adds an empty property after the others; returns its position.
    @discardableResult
    mutating func addProperty() -> Int {
        insertProperty(at: fills.count)
        return fills.count - 1
    }

    /// Adds an empty property at `position`; the properties from there on move one place up.
    mutating func insertProperty(at position: Int) {
        // Exactly the room it needs: inserting would double the buffer, and only growing segments rebuilds it.
        if samples.capacity < samples.count + Int(stride) { samples.reserveCapacity(samples.count + Int(stride)) }
        fills.insert(Fill(), at: position)
        samples.insert(contentsOf: repeatElement(Sample(value: 0, offset: 0), count: Int(stride)), at: position * Int(stride))
    }

    func count(of property: Int) -> Int { Int(fills[property].count) }

    /// Where the next sample of `property` goes once its segment is full (the oldest sample's place).
    func next(of property: Int) -> Int { Int(fills[property].next) }

    mutating func append(_ value: Double, at time: Date, to property: Int) {
        let seconds = time.timeIntervalSince1970
        if !hasBase {
            base = seconds.rounded(.down)
            hasBase = true
        } else if seconds < base {
            rebase(before: seconds)
        }
        let offset = UInt32(min(max(0, seconds - base), Double(UInt32.max)))
        // Clamped to Float's finite range: an extreme reading must not become infinity and break storage.
        let sample = Sample(value: Float(min(max(value, -Double(Float.greatestFiniteMagnitude)), Double(Float.greatestFiniteMagnitude))),
                            offset: offset)
        var fill = fills[property]
        if fill.count < storedCapacity {
            if fill.count == stride { grow() }
            samples[property * Int(stride) + Int(fill.count)] = sample
            fill.count += 1
        } else {
            samples[property * Int(stride) + Int(fill.next)] = sample
            fill.next = (fill.next + 1) % storedCapacity
        }
        fills[property] = fill
    }

    /// Moves the base back to `seconds` or just before (whole seconds), for a sample older than every other (a
    /// restored twin's histories, a machine clock set back).
    private mutating func rebase(before seconds: Double) {
        // Not clamped: the new sample's offset must be right; offsets that no longer fit (more than 136 years after
        // it) are.
        let shift = (base - seconds).rounded(.up)
        base -= shift
        for index in samples.indices {
            samples[index].offset = UInt32(min(Double(samples[index].offset) + shift, Double(UInt32.max)))
        }
    }

    /// Doubles every segment (up to the capacity), in a buffer of exactly the new size.
    private mutating func grow() {
        let wider = stride > storedCapacity / 2 ? storedCapacity : stride * 2
        var grown: [Sample] = []
        grown.reserveCapacity(fills.count * Int(wider))
        for property in fills.indices {
            let start = property * Int(stride)
            grown.append(contentsOf: samples[start..<start + Int(stride)])
            grown.append(contentsOf: repeatElement(Sample(value: 0, offset: 0), count: Int(wider - stride)))
        }
        samples = grown
        stride = wider
    }

    /// The samples of `property` as they lie in its segment: in time order until it is full, then from
    /// ``next(of:)`` round.
    func stored(_ property: Int) -> ArraySlice<Sample> {
        let start = property * Int(stride)
        return samples[start..<start + Int(fills[property].count)]
    }

    /// The samples of `property`, oldest first (times to the second).
    func samples(of property: Int) -> [(time: Date, value: Double)] {
        let segment = stored(property)
        let next = segment.startIndex + Int(fills[property].next)
        let order = segment.count < capacity ? Array(segment) : Array(segment[next...] + segment[..<next])
        return order.map { (Date(timeIntervalSince1970: base + Double($0.offset)), Double($0.value)) }
    }

    /// A table of one property holding `ring` as it lay in its segment (for reading a stored history back).
    init(capacity: Int, base: Double, ring: [Sample], next: Int) {
        self.init(capacity: capacity)
        precondition(ring.count <= self.capacity && (0..<self.capacity).contains(next))
        stride = UInt32(max(ring.count, 1))
        self.base = base
        hasBase = !ring.isEmpty
        fills = [Fill(count: UInt32(ring.count), next: UInt32(next))]
        samples = ring.isEmpty ? [Sample(value: 0, offset: 0)] : ring
    }
}
