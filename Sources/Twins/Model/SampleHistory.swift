import Foundation
import TwinModel

/// The last `capacity` samples of a property, oldest first, for trends and sparklines: a fixed ring in compact
/// storage (32-bit value and whole-second time offset), so memory per twin stays bounded and small. A twin keeps
/// the histories of all its properties in one table and hands out this value when asked.
public struct SampleHistory: Sendable, Equatable, Codable, JSONStreamWritable {
    /// A table of this one property.
    private var table: HistoryTable

    public init(capacity: Int) {
        table = HistoryTable(capacity: capacity)
        table.addProperty()
    }

    /// Property `property` of `table`.
    init(_ property: Int, of table: HistoryTable) {
        self.table = HistoryTable(capacity: table.capacity, base: table.base, ring: Array(table.stored(property)), next: table.next(of: property))
    }

    public var capacity: Int { table.capacity }
    public var count: Int { table.count(of: 0) }

    public mutating func append(_ value: Double, at time: Date) {
        table.append(value, at: time, to: 0)
    }

    /// The samples, oldest first (times to the second).
    public var samples: [(time: Date, value: Double)] { table.samples(of: 0) }

    /// The same samples in a history of another capacity (the newest kept).
    public func resized(to newCapacity: Int) -> SampleHistory {
        guard newCapacity != capacity else { return self }
        var resized = SampleHistory(capacity: newCapacity)
        for sample in samples.suffix(max(newCapacity, 1)) { resized.append(sample.value, at: sample.time) }
        return resized
    }

    /// Equal when they have the same capacity and the same samples, wherever their rings start.
    public static func == (lhs: SampleHistory, rhs: SampleHistory) -> Bool {
        let (left, right) = (lhs.samples, rhs.samples)
        return lhs.capacity == rhs.capacity && left.count == right.count
            && zip(left, right).allSatisfy { $0.time == $1.time && $0.value == $1.value }
    }

    private enum CodingKeys: String, CodingKey {
        case capacity, values, offsets, base, next
    }

    /// Values and offsets go out packed (little-endian, base64 in JSON): encoding each number on its own made
    /// storing twins the twin service's largest cost. Histories stored as number arrays still read.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        if count > 0 { try container.encode(table.base, forKey: .base) }
        try container.encode(table.next(of: 0), forKey: .next)
        try container.encode(packedValues, forKey: .values)
        try container.encode(packedOffsets, forKey: .offsets)
    }

    /// The JSON of ``encode(to:)``, written directly.
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        writer.field("capacity", integer: capacity)
        if count > 0 {
            writer.key("base")
            try writer.element(finite: table.base)
        }
        writer.field("next", integer: table.next(of: 0))
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
        let clamped = Int(UInt32(clamping: max(capacity, 1)))
        guard values.count == offsets.count, values.count <= clamped, (0..<clamped).contains(next), values.allSatisfy(\.isFinite),
              values.isEmpty || base?.isFinite == true else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "inconsistent sample history")
        }
        table = HistoryTable(capacity: clamped, base: base ?? 0, ring: zip(values, offsets).map { .init(value: $0, offset: $1) }, next: next)
    }

    private static func decodePacked<T: Codable & BitwiseCopyable>(_ type: T.Type, _ container: KeyedDecodingContainer<CodingKeys>,
                                                                   _ key: CodingKeys) throws -> [T] {
        guard let data = try? container.decode(Data.self, forKey: key) else { return try container.decode([T].self, forKey: key) }
        guard data.count % MemoryLayout<T>.size == 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "packed samples of a wrong size")
        }
        return data.withUnsafeBytes { raw in (0..<data.count / MemoryLayout<T>.size).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
    }

    /// Values and offsets, each packed little-endian, as stored.
    private var packedValues: Data { packed { $0.value.bitPattern.littleEndian } }
    private var packedOffsets: Data { packed { $0.offset.littleEndian } }

    private func packed(_ field: (HistoryTable.Sample) -> UInt32) -> Data {
        let ring = table.stored(0)
        var data = Data(count: ring.count * MemoryLayout<UInt32>.size)
        data.withUnsafeMutableBytes { raw in
            for (index, sample) in ring.enumerated() { raw.storeBytes(of: field(sample), toByteOffset: index * MemoryLayout<UInt32>.size, as: UInt32.self) }
        }
        return data
    }
}
