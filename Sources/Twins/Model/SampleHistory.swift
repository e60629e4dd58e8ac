import Foundation
import TwinModel

/// The last `capacity` samples of a property, oldest first, for trends and sparklines. A fixed ring in
/// compact storage (32-bit value and time offset): memory per twin stays bounded and small.
public struct SampleHistory: Sendable, Equatable, Codable, JSONStreamWritable {
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

    private enum CodingKeys: String, CodingKey {
        case capacity, values, offsets, base, next
    }

    /// Values and offsets go out packed (little-endian, base64 in JSON): encoding each number on its own made
    /// storing twins the twin service's largest cost. Histories stored as number arrays still read.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        try container.encodeIfPresent(base, forKey: .base)
        try container.encode(next, forKey: .next)
        try container.encode(values.withUnsafeBufferPointer { Data(buffer: $0) }, forKey: .values)
        try container.encode(offsets.withUnsafeBufferPointer { Data(buffer: $0) }, forKey: .offsets)
    }

    /// The JSON of ``encode(to:)``, written directly.
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        writer.field("capacity", integer: capacity)
        if let base {
            writer.key("base")
            try writer.element(finite: base)
        }
        writer.field("next", integer: next)
        writer.key("values")
        writer.element(base64: values.withUnsafeBufferPointer { Data(buffer: $0) })
        writer.key("offsets")
        writer.element(base64: offsets.withUnsafeBufferPointer { Data(buffer: $0) })
        writer.close()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capacity = max(try container.decode(Int.self, forKey: .capacity), 1)
        base = try container.decodeIfPresent(Double.self, forKey: .base)
        next = try container.decode(Int.self, forKey: .next)
        values = try Self.decodePacked(Float.self, container, .values)
        offsets = try Self.decodePacked(UInt32.self, container, .offsets)
        guard values.count == offsets.count, values.count <= capacity, (0..<capacity).contains(next), values.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "inconsistent sample history")
        }
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
        guard let base else { return [] }
        let order = values.count < capacity ? Array(0..<values.count) : Array(next..<capacity) + Array(0..<next)
        return order.map { (Date(timeIntervalSince1970: base + Double(offsets[$0])), Double(values[$0])) }
    }
}
