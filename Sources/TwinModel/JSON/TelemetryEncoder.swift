import Foundation

/// Writes one machine's telemetry exactly as `JSONCodec.telemetry(_:machine:kind:)` (TwinHubProtocol) does, byte for byte, from
/// pieces made once: the machine's own fields, and for each property of its kind the JSON around its value (its key
/// and its unit). Only the time, the sequence number and the values are written per sample; a simulated fleet
/// publishes one of these per machine and sample interval.
public struct TelemetryEncoder: Sendable {
    /// The JSON of one property around its value: `"name":{"value":` and `"unit":"…"}`.
    struct Piece: Sendable {
        let property: String
        let unit: String
        let opening: [UInt8]
        let closing: [UInt8]
    }

    /// `"machine":"…","kind":"…","values":{`
    private let head: [UInt8]
    private let pieces: [Piece]

    /// - Parameter properties: the properties of the machine's kind, in the order its samples list them.
    public init(machine: String, kind: String, properties: [(name: String, unit: String)]) {
        var head = JSONWriter()
        head.field("machine", string: machine)
        head.field("kind", string: kind)
        head.key("values")
        head.open()
        // At their own size: a fleet of 10,000 machines keeps these for good.
        self.head = head.fragment
        pieces = properties.map { property in
            var opening = JSONWriter()
            opening.key(property.name)
            opening.open()
            opening.key("value")
            var closing = JSONWriter()
            closing.field("unit", string: property.unit)
            closing.close()
            return Piece(property: property.name, unit: property.unit, opening: opening.fragment, closing: closing.fragment)
        }
    }

    /// The encoder of a scenario's machine.
    public init(for instance: MachineInstance) {
        self.init(machine: instance.id, kind: instance.kind.id, properties: instance.kind.interface.properties.map { ($0.name, $0.unit) })
    }

    /// The sample's JSON. Readings of other properties or units than the kind's, or out of its order, are written in
    /// full, as `JSONCodec.telemetry(_:machine:kind:)` (TwinHubProtocol) writes every one.
    public func encode(_ sample: TelemetrySample) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: sample.time)
        writer.field("seq", integer: Int(sample.sequence))
        writer.append(fragment: head, leavesOpen: true)
        var next = 0
        for reading in sample.values {
            // Readings follow the kind's order; a sensor that dropped out leaves a gap.
            // Compared byte by byte: `==` on strings holds canonically equivalent ones equal ("Ω" and the Ohm sign).
            var index = next
            while index < pieces.count, !pieces[index].property.hasSameBytes(as: reading.property) { index += 1 }
            if index < pieces.count, pieces[index].unit.hasSameBytes(as: reading.unit) {
                writer.append(fragment: pieces[index].opening, leavesOpen: true)
                writer.element(number: reading.value)
                writer.append(fragment: pieces[index].closing, leavesOpen: false)
                next = index + 1
            } else {
                writer.member(reading)
            }
        }
        writer.close()
        writer.close()
        return writer.bytes
    }
}
