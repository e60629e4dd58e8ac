import Foundation
import TwinModel

/// The last `capacity` samples of a property, oldest first, for trends and sparklines. A fixed ring in
/// compact storage (32-bit value and time offset, in one array that grows up to the capacity): memory per
/// twin stays bounded and small.
public struct SampleHistory: Sendable, Equatable, Codable, JSONStreamWritable {
    /// A value and its time, as seconds after `base`.
    private struct Sample: Sendable, Equatable {
        var value: Float
        var offset: UInt32
    }

    private var ring: [Sample] = []
    /// The time of the first sample, in seconds since 1970 (meaningless while the ring is empty).
    private var base = 0.0
    private var storedCapacity: UInt32
    /// Where the next sample goes once the ring is full.
    private var next: UInt32 = 0

    public var capacity: Int { Int(storedCapacity) }

    public init(capacity: Int) {
        storedCapacity = UInt32(clamping: max(capacity, 1))
    }

    public var count: Int { ring.count }

    public mutating func append(_ value: Double, at time: Date) {
        let seconds = time.timeIntervalSince1970
        if ring.isEmpty { base = seconds }
        let offset = UInt32(clamping: Int64(max(0, seconds - base)))
        // Clamped to Float's finite range: an extreme reading must not become infinity and break storage.
        let stored = Float(min(max(value, -Double(Float.greatestFiniteMagnitude)), Double(Float.greatestFiniteMagnitude)))
        if ring.count < capacity {
            // Grown by doubling, but never past the capacity.
            if ring.count == ring.capacity { ring.reserveCapacity(min(capacity, max(2, ring.count * 2))) }
            ring.append(Sample(value: stored, offset: offset))
        } else {
            ring[Int(next)] = Sample(value: stored, offset: offset)
            next = (next + 1) % storedCapacity
        }
    }

    /// The same samples in a history of another capacity (the newest kept).
    public func resized(to newCapacity: Int) -> SampleHistory {
        guard newCapacity != capacity else { return self }
        var resized = SampleHistory(capacity: newCapacity)
        for sample in samples.suffix(max(newCapacity, 1)) { resized.append(sample.value, at: sample.time) }
        return resized
    }

    private enum CodingKeys: String, CodingKey {
        case capacity, values, offsets, base, next
    }

    /// Values and offsets go out packed (little-endian, base64 in JSON): encoding each number on its own made
    /// storing twins the twin service's largest cost. Histories stored as number arrays still read.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        if !ring.isEmpty { try container.encode(base, forKey: .base) }
        try container.encode(Int(next), forKey: .next)
        try container.encode(packedValues, forKey: .values)
        try container.encode(packedOffsets, forKey: .offsets)
    }

    /// The JSON of ``encode(to:)``, written directly.
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        writer.field("capacity", integer: capacity)
        if !ring.isEmpty {
            writer.key("base")
            try writer.element(finite: base)
        }
        writer.field("next", integer: Int(next))
        writer.key("values")
        writer.element(base64: packedValues)
        writer.key("offsets")
        writer.element(base64: packedOffsets)
        writer.close()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let capacity = try container.decode(Int.self, forKey: .capacity)
        let base = try container.decodeIfPresent(Double.self, forKey: .base)
        let next = try container.decode(Int.self, forKey: .next)
        let values = try Self.decodePacked(Float.self, container, .values)
        let offsets = try Self.decodePacked(UInt32.self, container, .offsets)
        storedCapacity = UInt32(clamping: max(capacity, 1))
        guard values.count == offsets.count, values.count <= self.capacity, (0..<self.capacity).contains(next), values.allSatisfy(\.isFinite),
              values.isEmpty || base?.isFinite == true else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "inconsistent sample history")
        }
        self.base = base ?? 0
        self.next = UInt32(next)
        ring = zip(values, offsets).map { Sample(value: $0, offset: $1) }
    }

    private static func decodePacked<T: Codable & BitwiseCopyable>(_ type: T.Type, _ container: KeyedDecodingContainer<CodingKeys>,
                                                                   _ key: CodingKeys) throws -> [T] {
        guard let data = try? container.decode(Data.self, forKey: key) else { return try container.decode([T].self, forKey: key) }
        guard data.count % MemoryLayout<T>.size == 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "packed samples of a wrong size")
        }
        return data.withUnsafeBytes { raw in (0..<data.count / MemoryLayout<T>.size).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
    }

    /// The samples, oldest first (times to the second).
    public var samples: [(time: Date, value: Double)] {
        let order = ring.count < capacity ? Array(ring) : Array(ring[Int(next)...] + ring[..<Int(next)])
        return order.map { (Date(timeIntervalSince1970: base + Double($0.offset)), Double($0.value)) }
    }

    /// Values and offsets, each packed little-endian, as stored.
    private var packedValues: Data { packed { $0.value.bitPattern.littleEndian } }
    private var packedOffsets: Data { packed { $0.offset.littleEndian } }

    private func packed(_ field: (Sample) -> UInt32) -> Data {
        var data = Data(count: ring.count * MemoryLayout<UInt32>.size)
        data.withUnsafeMutableBytes { raw in
            for (index, sample) in ring.enumerated() { raw.storeBytes(of: field(sample), toByteOffset: index * MemoryLayout<UInt32>.size, as: UInt32.self) }
        }
        return data
    }
}
